#pragma once

// A task schedule: its fields, validation, and the decide/apply pair of its
// aggregate (stream `schedule/<id>`). Pure code: no actors, no clock.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Smallest interval accepted, in milliseconds.
constexpr int64_t min_interval_ms = 1000;

/// A schedule as its events left it. Shared read-only between the
/// schedule's actor and the supervisor's index: changes make a new copy.
struct schedule_data {
  std::string id;
  std::string name;
  std::string group;          ///< The namespace name as the directory spells it.
  std::string prompt;
  std::string type;           ///< `cron`, `interval` or `once`.
  json value;                 ///< As given: cron text, interval ms, once time.
  std::string timezone;
  std::string chat_jid;       ///< Empty: none.
  int64_t timeout_secs = 300; ///< 0 = no limit.
  std::string image;          ///< Empty: the group's image.
  std::string context_mode = "isolated";
  bool enabled = true;
  bool completed = false;
  bool deleted = false;
  int64_t next_run = 0;       ///< Epoch ms; 0 = none.
  int64_t anchor = 0;         ///< Origin of an interval's grid.
  int64_t last_run = 0;       ///< When it last fired; 0 = never.
  int64_t created_at = 0;
  int64_t updated_at = 0;
  uint64_t version = 0;       ///< Stream version applied so far.

  /// `active`, `paused` or `completed`.
  const char* status() const;

  /// The stored fields: `name`, `group`, `prompt`, `schedule`, `timezone`,
  /// `chatJid`, `containerConfig`, `contextMode`, `enabled`.
  json object() const;

  /// The API object: `object()` plus `id`, `status`, `nextRun`, `lastRun`,
  /// `lastResult`, `createdAt`, `updatedAt`.
  json view(json last_result = nullptr) const;
};

/// A schedule snapshot, as passed between actors.
using schedule_snapshot = std::shared_ptr<const schedule_data>;

/// Validates a POST body and returns the normalised object (see
/// `schedule_data::object`) with every default filled in; the group's
/// existence is checked by the caller.
result<json> validate_new_schedule(const json& body, const std::string& default_zone);

/// Validates a PUT body: the normalised fields that were given.
result<json> validate_schedule_changes(const json& body);

/// Checks `schedule` and `timezone` of an object together: the cron
/// expression fires, the zone exists, the interval is at least 1000 ms and
/// the `once` time parses (and, when `now` is not 0, is after `now`).
result<unit> check_timing(const json& object, int64_t now);

/// The interval of a normalised `interval` value in milliseconds.
int64_t interval_ms(const json& value);

/// One schedule's aggregate.
struct schedule_state {
  schedule_snapshot data; ///< Null until created.

  /// Applies one event of its stream.
  void apply(const envelope& e);

  /// Events for a new schedule from a validated object (group resolved).
  result<std::vector<draft>> decide_create(const std::string& id, const json& object,
                                           int64_t now) const;

  /// Events for validated changes: `schedule.paused` / `schedule.resumed`
  /// when only `enabled` changes, else `schedule.updated`; none when
  /// nothing changes. `nextRun` is recomputed when `schedule`, `timezone` or
  /// `enabled` changes.
  result<std::vector<draft>> decide_update(const json& changes, int64_t now) const;

  /// Events for a slot that is due at `now`: `schedule.fired` with the next
  /// slot (plus `schedule.completed` for `once`); none when not due.
  std::vector<draft> decide_fire(int64_t now) const;

  /// Events for a delete.
  result<std::vector<draft>> decide_delete(const std::string& reason) const;

  /// At start-up: an interval schedule whose slots passed while the server
  /// was down moves on to its next slot on the grid (missed slots are
  /// skipped). Returns true when it moved.
  bool skip_missed(int64_t now);

  /// Whether a slot is due at `now`.
  bool due(int64_t now) const;
};

/// Applies one event of a schedule's stream to its fields in place.
void apply_schedule_event(schedule_data& d, const envelope& e);

/// The first slot strictly after `now` for an active schedule of this type.
/// For an interval, on the grid of `anchor`.
int64_t next_slot(const schedule_data& d, int64_t now);

} // namespace pincer
