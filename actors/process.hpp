#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pincer {

/// What to run and how. The program is never started through a shell.
struct process_spec {
  /// The argument vector; `argv[0]` is looked up on `PATH`.
  std::vector<std::string> argv;
  /// Written to the child's stdin right after the start.
  std::string stdin_data;
  /// Closes stdin once `stdin_data` is written; false keeps it open for `write_stdin`.
  bool close_stdin = true;
  /// Kills the child's process group after this long; zero or less means no limit.
  std::chrono::milliseconds timeout{60000};
  /// Most bytes kept of stdout and of stderr each (the tail is kept).
  size_t output_cap = 1 << 20;
  /// Variables added to the child's minimal environment (they win over inherited ones).
  std::map<std::string, std::string> env;
  /// Optional: receives stdout chunks as they arrive, on the runner's thread.
  std::function<void(std::string_view)> on_stdout;
};

/// How a child ended.
struct process_result {
  /// The exit status, 128 + signal number when a signal ended it, -1 when unknown.
  int exit_code = -1;
  /// The timeout fired and the process group was killed.
  bool timed_out = false;
  /// The program could not be started (`err` says why).
  bool spawn_failed = false;
  /// The tail of stdout, at most `output_cap` bytes.
  std::string out;
  /// The tail of stderr, at most `output_cap` bytes.
  std::string err;
  /// Some output was dropped to respect `output_cap`.
  bool truncated = false;
  /// Wall time from start to the end of the child's output.
  int64_t duration_ms = 0;
};

/// The names of the host environment variables a child inherits (when set).
const std::vector<std::string>& inherited_env_keys();

/// The child's environment: the inherited keys from this process plus `extra`.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra);

/// Runs child processes asynchronously on its own thread (one asio
/// io_context): pipes for stdio, pidfds for exit, timers for timeouts.
/// Every public member function is thread-safe and never blocks.
class process_runner {
public:
  process_runner();
  /// Kills the remaining children (their `done` callbacks are dropped) and joins
  /// the thread; never destroy a runner from one of its own callbacks.
  ~process_runner();

  process_runner(const process_runner&) = delete;
  process_runner& operator=(const process_runner&) = delete;

  /// Starts a child in its own process group; `done` runs once on the runner's thread.
  uint64_t start(process_spec spec, std::function<void(process_result)> done);

  /// Writes more to a running child's stdin (ignored once stdin is closed).
  void write_stdin(uint64_t id, std::string data);

  /// Closes a running child's stdin after the pending writes.
  void close_stdin(uint64_t id);

  /// Sends SIGTERM to the child's process group, then SIGKILL after `grace`.
  void stop(uint64_t id, std::chrono::milliseconds grace);

  /// Number of children not yet finished.
  size_t running() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

/// Starts a child and waits for it; for tools and tests only (never call it
/// from a `done` or `on_stdout` callback of the same runner).
process_result run_sync(process_runner& runner, process_spec spec);

} // namespace pincer
