#pragma once

#include <map>
#include <string>
#include <vector>

#include "actors/group_actor.hpp"
#include "actors/slot_state.hpp"

namespace pincer {

/// Largest text of a message or follow-up (64 KiB).
constexpr size_t max_message_bytes = 64 * 1024;

/// Validates a `POST /container/ipc/follow-up` body into a message.
result<std::pair<std::string, queued_message>> parse_follow_up(const json& body);

/// Validates `{"group": "..."}` bodies; returns the group name.
result<std::string> parse_group_body(const json& body);

/// Validates a `PUT /container/queue/max-concurrent` body (1..256).
result<size_t> parse_max_concurrent(const json& body);

/// Totals over queue entries: the `GET /container/queue/counts` body.
json queue_counts(const std::map<std::string, json>& entries, const slot_state& slots);

/// The entry of a group no actor has touched yet.
json idle_entry(const std::string& group);

/// State of the queue supervisor.
struct queue_supervisor_state {
  group_context ctx;
  directory_actor directory;
  audit_actor history;                      ///< The run-history projection.
  slot_state slots;
  uint64_t settings_version = 0;            ///< Version of `queue/settings`.
  std::map<std::string, group_actor> groups; ///< By namespace key.
  std::map<std::string, json> entries;       ///< Latest entry by key.
  bool ready = true;                         ///< False until old containers are stopped.
  std::vector<std::string> held;             ///< Slot requests made before `ready`.

  static inline const char* name = "queue";
};

/// The queue supervisor; spawns a group actor for every group with queue
/// events, so pending work survives a restart. With `hold_slots` it grants
/// no slot before `ready_atom`.
queue_actor::behavior_type
queue_supervisor(queue_actor::stateful_pointer<queue_supervisor_state> self, group_context ctx,
                 audit_actor history, bool hold_slots);

} // namespace pincer
