#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pincer::test {

/// A child started from an argument vector (no shell) with piped stdin, stdout and
/// stderr; killed and reaped on destruction if still running.
class child_process {
public:
  /// Starts `argv[0]` (searched in PATH) with this process's environment plus `extra_env`
  /// entries `NAME=value`, which replace variables of the same name.
  explicit child_process(std::vector<std::string> argv, std::vector<std::string> extra_env = {});

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  ~child_process();

  /// Writes all of `text` to the child's stdin.
  void write_stdin(const std::string& text);

  /// Closes the child's stdin.
  void close_stdin();

  /// Reads until stdout holds `needle` at least `count` times; false on timeout or EOF.
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout,
                       size_t count = 1);

  /// Reads until the child exits; returns its exit code (128 + signal when killed), or
  /// nothing if it is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);

  /// Sends `sig` to the child.
  void signal(int sig);

  /// Everything read from stdout so far.
  const std::string& out() const {
    return out_;
  }

  /// Everything read from stderr so far.
  const std::string& err() const {
    return err_;
  }

private:
  /// Reads what arrives within `timeout` (one read per pipe); returns the bytes read.
  size_t pump(std::chrono::milliseconds timeout);

  /// Collects the exit status if the child has exited; true once it has.
  bool reap();

  pid_t pid_ = -1;
  int in_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  std::optional<int> exit_code_;
};

/// What a finished child printed and how it ended.
struct run_result {
  std::string out;
  std::string err;
  /// Exit code, 128 + signal when killed, -1 when it timed out (and was killed).
  int code = -1;
};

/// Runs a child to completion, feeding `input` on stdin; kills it after `timeout`.
run_result run_process(std::vector<std::string> argv, const std::string& input = {},
                       std::vector<std::string> extra_env = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace pincer::test
