#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace pincer::e2e {

/// The path of the `pincer` executable under test.
std::string pincer_binary();

/// Environment changes for a child: a value sets the variable, nullopt
/// removes it. `PINCER_API_KEYS` is removed unless named here.
using env_changes = std::map<std::string, std::optional<std::string>>;

/// What a finished child printed (stdout and stderr together) and how it
/// ended: its exit code, or 128 + the signal that killed it.
struct process_result {
  std::string output;
  int exit_code = -1;
};

/// Runs `pincer` with `args` to completion; kills it after `timeout`.
process_result run_pincer(const std::vector<std::string>& args, const env_changes& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds{30});

/// A running `pincer` child process with its stdout and stderr on one pipe,
/// drained by a reader thread so that the child never blocks on output.
class server_process {
public:
  /// Starts `pincer` with `args` (without the program name); does not wait.
  explicit server_process(std::vector<std::string> args, const env_changes& env = {});

  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  /// Kills the child with SIGKILL if it still runs.
  ~server_process();

  /// Starts `pincer serve` on 127.0.0.1 with an ephemeral port and waits for
  /// its "listening" line; throws when it does not appear within `timeout`.
  /// Without a `--runtime` in `extra_args`, the server looks for Docker only,
  /// which these machines lack: an auto-detected Podman would append a
  /// `runtime.detected` event at a moment of its own, in the middle of tests
  /// that count events.
  static std::unique_ptr<server_process>
  serve(const std::string& data_dir, std::vector<std::string> extra_args = {},
        const env_changes& env = {},
        std::chrono::milliseconds timeout = std::chrono::seconds{20});

  /// Waits for the "pincer listening on http://HOST:PORT" line; false when
  /// the child exits first or the time runs out.
  bool wait_listening(std::chrono::milliseconds timeout);

  /// The port from the "listening" line, 0 before it appeared.
  uint16_t port() const;

  /// `http://127.0.0.1:PORT`.
  std::string base_url() const;

  /// The process id.
  pid_t pid() const noexcept {
    return pid_;
  }

  /// True until the child has been reaped.
  bool running();

  /// Sends SIGTERM and waits for the exit; returns the exit code (128 +
  /// signal when a signal ended it). After `timeout` the child is killed
  /// with SIGKILL and -1 is returned.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds{20});

  /// Sends `sig` without waiting.
  void signal(int sig);

  /// Kills the child with SIGKILL and reaps it.
  void kill9();

  /// Waits up to `timeout` for the child to exit on its own; the exit code,
  /// or nullopt when it still runs.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  /// Waits until the child's output pipe is closed (it exited); false on
  /// timeout.
  bool wait_output_closed(std::chrono::milliseconds timeout);

  /// Everything the child printed so far.
  std::string output() const;

private:
  void read_output(int fd);
  std::optional<int> reap(bool block);

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::thread reader_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
  uint16_t port_ = 0;
};

} // namespace pincer::e2e
