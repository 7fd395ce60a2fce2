#pragma once

// The events of a group's container-to-host IPC files.

#include <string>

#include "actors/ipc_files.hpp"
#include "events/envelope.hpp"

namespace pincer {

/// Who writes into a group's IPC folder, from its namespace object.
ipc_identity ipc_identity_of(const std::string& group, const json& ns);

/// The event recording a decided file: `ipc.message_sent` or `ipc.rejected`;
/// requests handled elsewhere (schedules, groups) get theirs when answered.
draft ipc_event(const std::string& group, const std::string& file, const ipc_decision& d);

/// `ipc.task_handled` for a request another part answered (`outcome` ok or
/// failed, with the answer's status and error message when it failed).
draft ipc_task_event(const std::string& group, const std::string& file, const ipc_decision& d,
                     int status, const std::string& error_message);

} // namespace pincer
