#pragma once

// The task operations group containers ask for through IPC files
// (`ipc/<group>/tasks/*.json`), in NanoClaw's field names, turned into the
// scheduler's own commands.

#include <string>

#include "actors/schedule_state.hpp"
#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// One parsed task file.
struct ipc_task_request {
  std::string type;       ///< `schedule_task`, `pause_task`, `resume_task`, `cancel_task`, `update_task`.
  std::string task_id;    ///< `taskId`: required but for `schedule_task`, where it is optional.
  std::string target_jid; ///< `schedule_task`: `targetJid`, the chat the task belongs to.
  std::string group;      ///< `schedule_task`: `group`, when there is no `targetJid`.
  json body;              ///< `schedule_task`: a POST body; `update_task`: the given fields.
};

/// Reads a task file: `type`, `prompt`, `schedule_type`, `schedule_value`,
/// `targetJid` or `group`, `context_mode` (anything but `group` is
/// `isolated`), `taskId`. Fails with `validation_failed` naming the field.
result<ipc_task_request> parse_ipc_task(const json& file);

/// Whether a client-chosen task id can be a schedule id
/// (`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`).
bool valid_task_id(const std::string& id);

/// The PUT body of an `update_task`: `prompt`, and `schedule` merged from
/// `schedule_type` / `schedule_value` and the current schedule.
json ipc_update_body(const ipc_task_request& req, const schedule_data& current);

} // namespace pincer
