#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "actors/process.hpp"
#include "actors/queue_types.hpp"
#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Delays and limits of the queue; tests shorten them.
struct queue_policy {
  std::chrono::milliseconds retry_base{5000}; ///< First retry delay; each next one doubles.
  int max_retries = 5;                        ///< Retries before a batch is dropped.
  int64_t default_timeout_secs = 1800;        ///< Hard timeout when the group sets none.
  int64_t default_idle_timeout_secs = 1800;   ///< Idle wait when the group sets none.
};

/// What a group runs next.
enum class group_work { none, task, messages };

/// The run a group's container is working on.
struct active_run {
  std::string run_id;
  std::string trigger; ///< `message`, `schedule` or `follow-up`.
  std::optional<queued_task> task;
  std::vector<queued_message> messages; ///< Message runs: the batch, plus delivered follow-ups.
  std::string container_name;
  std::string image;
  std::string chat_jid;
  int64_t started_at = 0;
  size_t outputs = 0;
  bool delivered = false;   ///< Some output carried a result.
  bool errored = false;     ///< Some output was an error.
  std::string error;        ///< The last error an output reported.
  std::string results;      ///< Joined results, at most 2000 chars.
};

/// How a container ended, as the group actor saw it.
struct run_exit {
  int exit_code = -1;
  bool timed_out = false;
  std::string failure;      ///< Set when no container ran (spawn error, restart, ...).
  std::string stderr_tail;
  int64_t finished_at = 0;
};

/// One group's queue, rebuilt from its stream (`group/<name>`): pending
/// messages and tasks, the run in flight, retries and the agent session.
/// Pure: every decision returns drafts, and `apply` is the only mutator.
struct group_state {
  std::string group;   ///< The namespace name.
  uint64_t version = 0;
  std::deque<queued_message> messages;
  std::deque<queued_task> tasks;
  std::optional<active_run> run;
  int retry_count = 0;
  int64_t next_retry_at = 0; ///< Epoch ms; messages wait until then.
  std::string session_id;

  /// Applies one event of the group's stream.
  void apply(const envelope& e);

  /// Whether a task id is running or queued.
  bool has_task(const std::string& task_id) const;

  /// What the group should run once it has a slot at `now`.
  group_work next_work(int64_t now) const;

  /// `message.queued` for a new message.
  draft queue_message(const queued_message& m) const;

  /// `task.queued`, or nothing when the task id is running or queued.
  std::vector<draft> queue_task(const queued_task& t) const;

  /// `message.delivered`: the text went into the running container as `file`.
  draft deliver(const queued_message& m, const std::string& file) const;

  /// `run.started` for the next work (`next_work` must not be `none`).
  draft start(group_work w, const std::string& run_id, const std::string& container_name,
              const std::string& image, const std::string& default_chat, int64_t now) const;

  /// `run.output` for one result block, plus `session.updated` or
  /// `session.cleared` when the block changes the session.
  std::vector<draft> output(const json& block) const;

  /// `run.finished`, then `run.retry_scheduled` or `run.dropped` when a
  /// message run failed before delivering anything.
  std::vector<draft> finish(const run_exit& how, const queue_policy& policy) const;

};

/// The prompt for a batch of messages, in the agent's `<messages>` format.
std::string format_messages(const std::vector<queued_message>& batch, const std::string& tz);

/// The input JSON a container gets on stdin.
json container_input(const group_state& g, const active_run& run, bool is_main,
                     const std::string& assistant_name, const std::string& tz);

/// `queued_message` <-> event data.
json to_json(const queued_message& m);
queued_message message_from_json(const json& j);

/// `queued_task` <-> event data.
json to_json(const queued_task& t);
queued_task task_from_json(const json& j);

} // namespace pincer
