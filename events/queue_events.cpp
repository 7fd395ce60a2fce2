#include "events/queue_events.hpp"

#include <algorithm>
#include <cctype>

#include "events/catalog.hpp"

namespace pincer {

std::string group_stream(const std::string& name) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return "group/" + key;
}

void register_queue_events(catalog& c) {
  using namespace event_types;
  c.add(message_queued, {1, {}, "Queued a message for group {id}"});
  c.add(message_delivered, {1, {}, "Delivered a follow-up to the container of group {id}"});
  c.add(task_queued, {1, {}, "Queued a task for group {id}"});
  c.add(run_started, {1, {}, "Started a container for group {id}"});
  event_type_info output{1, {}, "Container of group {id} produced a result"};
  output.outcome = [](const json& d) { return d.value("status", "") == "error" ? "failed" : "ok"; };
  c.add(run_output, output);
  event_type_info finished{1, {}, "Container run of group {id} ended"};
  finished.outcome = [](const json& d) { return d.value("status", "") == "success" ? "ok" : "failed"; };
  c.add(run_finished, finished);
  c.add(run_retry_scheduled, {1, {}, "Scheduled a retry for group {id}"});
  event_type_info dropped{1, {}, "Dropped the messages of group {id} after retries"};
  dropped.outcome = [](const json&) { return "failed"; };
  c.add(run_dropped, dropped);
  c.add(session_updated, {1, {}, "Updated the agent session of group {id}"});
  c.add(session_cleared, {1, {}, "Cleared the agent session of group {id}"});
  c.add(queue_max_concurrent_set, {1, {}, "Set the container limit"});
  c.add(queue_orphans_stopped, {1, {}, "Stopped containers left by an earlier process"});
  c.add(ipc_directories_created, {1, {}, "Created the IPC folders of group {id}"});
  c.add(ipc_close_requested, {1, {}, "Asked the container of group {id} to close"});
  c.add(ipc_message_sent, {1, {}, "Group {id} sent a message to a chat"});
  event_type_info task{1, {}, "Handled a task request of group {id}"};
  task.outcome = [](const json& d) { return d.value("outcome", "ok"); };
  c.add(ipc_task_handled, task);
  event_type_info rejected{1, {}, "Rejected an IPC file of group {id}"};
  rejected.outcome = [](const json&) { return "denied"; };
  c.add(ipc_rejected, rejected);
}

} // namespace pincer
