#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/schedule_actor.hpp"
#include "actors/schedule_timetable.hpp"

namespace pincer {

/// One schedule in the supervisor's index.
struct scheduler_entry {
  schedule_snapshot data;
  schedule_actor actor; ///< Null until its first command or due slot.
};

/// State of the schedule supervisor.
struct scheduler_state {
  std::shared_ptr<const schedule_context> ctx;
  directory_actor directory;
  audit_actor runs; ///< The schedule-log projection.
  std::string default_zone;
  std::unordered_map<std::string, scheduler_entry> schedules; ///< Live ones, by id.
  std::unordered_map<std::string, int> pending_ids; ///< Ids being created.
  /// The next slot of every active schedule that has no actor yet.
  schedule_timetable timetable;
  int64_t wake = 0; ///< The slot the armed wake-up is for (wall ms); 0: none.

  /// Stops every schedule actor with the supervisor.
  ~scheduler_state();

  static inline const char* name = "scheduler";
};

/// Reads every schedule stream; returns the schedules not deleted.
result<std::vector<schedule_snapshot>> load_schedules(const event_store& store);

/// The supervisor's behaviour: files every schedule `load_schedules` rebuilt
/// in the timetable (an interval skips the slots missed while the server was
/// down, while cron and once schedules fire a missed slot once), then routes
/// commands. A schedule's actor, which fires on its own timer, is spawned
/// at its first command or `wake_ahead` before its slot, by one wake-up
/// armed for the timetable's earliest slot. `default_zone` is the zone of
/// schedules created without `timezone`.
scheduler_actor::behavior_type
scheduler(scheduler_actor::stateful_pointer<scheduler_state> self,
          std::shared_ptr<const schedule_context> ctx, directory_actor directory,
          std::string default_zone, std::vector<schedule_snapshot> loaded);

// -- operations shared with the IPC task handler (actors/scheduler_ipc.cpp) --

using scheduler_self = scheduler_actor::stateful_pointer<scheduler_state>;

/// Validates a POST body and creates a schedule with this id (201).
void scheduler_create(scheduler_self self, const json& body, std::string id, request_meta meta,
                      caf::typed_response_promise<reply> rp);

/// Sends validated changes to a schedule (200 with its view).
void scheduler_update(scheduler_self self, const std::string& id, json changes,
                      request_meta meta, caf::typed_response_promise<reply> rp);

/// Deletes a schedule for a reason (204).
void scheduler_remove(scheduler_self self, const std::string& id, const std::string& reason,
                      request_meta meta, caf::typed_response_promise<reply> rp);

/// Handles one IPC task file of `source` (a group folder; `is_main` from
/// the directory): a non-main group may act only on its own schedules.
caf::result<reply> handle_ipc_task(scheduler_self self, const std::string& source, bool is_main,
                                   const json& file);

} // namespace pincer
