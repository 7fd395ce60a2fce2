#pragma once

// The run log of schedules (`GET /container/schedules/{id}/logs`): a stored
// projection of the log, so it survives restarts and can be rebuilt.

#include <memory>
#include <string>
#include <unordered_map>

#include "actors/core.hpp"
#include "actors/interfaces.hpp"
#include "actors/projection.hpp"

namespace pincer {

/// One row per finished run of a schedule (`run.finished` with its
/// `scheduleId`) and per slot that was skipped (`schedule.skipped`) or could
/// not be queued (`schedule.dispatch_failed`), keyed `<scheduleId>/<seq>`.
class schedule_runs_projection : public projection {
public:
  std::string name() const override;
  void project(const event_view& e, std::vector<row>& out) const override;
};

/// The log entry a record makes, or null when it makes none.
json schedule_run_entry(const event_view& e);

/// A page of a schedule's log, newest first: `{"items", "nextCursor"}`
/// (`limit` and `cursor` query parameters).
result<json> query_schedule_runs(const event_store& store, const std::string& id,
                                 const query_params& q);

/// The newest entry of a schedule's log, or null.
json last_schedule_run(const event_store& store, const std::string& id);

/// The newest entry of every schedule's log (one scan), by schedule id.
std::unordered_map<std::string, json> last_schedule_runs(const event_store& store);

/// `lastResult` of a schedule view from its newest log entry: the first 200
/// characters of the result (`Completed` when empty), `Error: ...`, or
/// `Skipped: ...`; null when it never ran.
json last_result_text(const json& entry);

/// State of the schedule-log projection runner.
struct schedule_runs_state {
  std::shared_ptr<event_store> store;
  schedule_runs_projection projection;
  uint64_t position = 0;

  /// Applies everything up to the end of the log.
  result<uint64_t> catch_up();

  static inline const char* name = "schedule-runs";
};

/// Follows the log from its stored checkpoint; answers
/// `(query_atom, {"scheduleId": id, "limit", "cursor"})` with a page of logs.
audit_actor::behavior_type schedule_runs(audit_actor::stateful_pointer<schedule_runs_state> self,
                                         std::shared_ptr<event_store> store);

} // namespace pincer
