#pragma once

#include <string>

namespace pincer {

class catalog;

/// Event types of the group queue, container runs and file IPC.
namespace event_types {
constexpr const char* message_queued = "message.queued";
constexpr const char* message_delivered = "message.delivered";
constexpr const char* task_queued = "task.queued";
constexpr const char* run_started = "run.started";
constexpr const char* run_output = "run.output";
constexpr const char* run_finished = "run.finished";
constexpr const char* run_retry_scheduled = "run.retry_scheduled";
constexpr const char* run_dropped = "run.dropped";
constexpr const char* session_updated = "session.updated";
constexpr const char* session_cleared = "session.cleared";
constexpr const char* queue_max_concurrent_set = "queue.max_concurrent_set";
constexpr const char* queue_orphans_stopped = "queue.orphans_stopped";
constexpr const char* ipc_directories_created = "ipc.directories_created";
constexpr const char* ipc_close_requested = "ipc.close_requested";
constexpr const char* ipc_message_sent = "ipc.message_sent";
constexpr const char* ipc_task_handled = "ipc.task_handled";
constexpr const char* ipc_rejected = "ipc.rejected";
} // namespace event_types

/// The stream of a group's queue, runs and IPC: `group/<lower-case name>`.
std::string group_stream(const std::string& name);

/// The stream of the queue settings.
constexpr const char* queue_settings_stream = "queue/settings";

/// Adds the queue, run and IPC event types to a catalog.
void register_queue_events(catalog& c);

} // namespace pincer
