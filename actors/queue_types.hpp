#pragma once

// The work a group's queue accepts: what channels, the API, IPC and
// schedules hand to `queue_actor`.

#include <cstdint>
#include <string>

namespace pincer {

/// A message for a group's agent, from a chat, the API or a follow-up.
struct queued_message {
  std::string id;       ///< Provider message id, else a generated UUID.
  std::string chat_jid; ///< Chat it came from; empty when none.
  std::string sender;   ///< Display name of the sender.
  std::string text;
  int64_t at = 0;       ///< Epoch ms it was written.
  std::string source;   ///< `api`, `follow-up`, `channel:<name>`.
};

/// A scheduled task for a group's agent.
struct queued_task {
  std::string task_id;     ///< A task id already running or queued is not queued again.
  std::string schedule_id; ///< Empty for a task not from a schedule.
  std::string prompt;
  std::string context_mode = "isolated"; ///< `group` reuses the group's session.
  int64_t timeout_secs = 300;            ///< 0 = no limit.
  std::string chat_jid;                  ///< Where results go; empty: the group's first chat.
  std::string image;                     ///< Empty: the group's image.
};

} // namespace pincer
