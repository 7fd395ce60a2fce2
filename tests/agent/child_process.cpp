#include "tests/agent/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace pincer::test {

namespace {

using clock_type = std::chrono::steady_clock;

std::runtime_error os_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

/// The environment for the child: ours with `extra` entries replacing or adding names.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry{*e};
    auto name = entry.substr(0, entry.find('=') + 1);
    bool replaced = false;
    for (auto& x : extra)
      replaced = replaced || x.compare(0, name.size(), name) == 0;
    if (!replaced)
      env.push_back(std::move(entry));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

} // namespace

child_process::child_process(std::vector<std::string> argv, std::vector<std::string> extra_env) {
  if (argv.empty())
    throw std::invalid_argument("child_process: empty argument vector");
  std::signal(SIGPIPE, SIG_IGN);
  auto env = child_environment(extra_env);
  auto argv_ptrs = pointers(argv);
  auto env_ptrs = pointers(env);
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
    throw os_error("pipe2");
  pid_ = fork();
  if (pid_ < 0)
    throw os_error("fork");
  if (pid_ == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    execvpe(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
    _exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
}

child_process::~child_process() {
  close_fd(in_);
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  close_fd(out_fd_);
  close_fd(err_fd_);
}

void child_process::write_stdin(const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    auto n = ::write(in_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw os_error("write to child stdin");
    done += static_cast<size_t>(n);
  }
}

void child_process::close_stdin() {
  close_fd(in_);
}

size_t child_process::pump(std::chrono::milliseconds timeout) {
  if (out_fd_ < 0 && err_fd_ < 0)
    return 0;
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  auto n = ::poll(fds, 2, static_cast<int>(timeout.count()));
  if (n < 0 && errno != EINTR)
    throw os_error("poll");
  size_t total = 0;
  char buf[65536];
  auto drain = [&](pollfd& p, int& fd, std::string& into) {
    if (fd < 0 || (p.revents & (POLLIN | POLLHUP | POLLERR)) == 0)
      return;
    auto got = ::read(fd, buf, sizeof buf);
    if (got > 0) {
      into.append(buf, static_cast<size_t>(got));
      total += static_cast<size_t>(got);
    } else if (got == 0 || errno != EINTR) {
      close_fd(fd);
    }
  };
  if (n > 0) {
    drain(fds[0], out_fd_, out_);
    drain(fds[1], err_fd_, err_);
  }
  return total;
}

bool child_process::reap() {
  int status = 0;
  if (exit_code_ || waitpid(pid_, &status, WNOHANG) != pid_)
    return exit_code_.has_value();
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

static size_t occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++count;
  return count;
}

bool child_process::wait_for_output(const std::string& needle, std::chrono::milliseconds timeout,
                                    size_t count) {
  auto deadline = clock_type::now() + timeout;
  while (occurrences(out_, needle) < count) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0 || (out_fd_ < 0 && err_fd_ < 0))
      return false;
    pump(left);
  }
  return true;
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (!reap()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0)
      return std::nullopt;
    auto slice = std::min(left, std::chrono::milliseconds(20));
    if (out_fd_ < 0 && err_fd_ < 0)
      std::this_thread::sleep_for(slice);
    else
      pump(slice);
  }
  // Collect what the child wrote before it exited.
  while (pump(std::chrono::milliseconds(20)) > 0) {
  }
  return exit_code_;
}

void child_process::signal(int sig) {
  if (!exit_code_ && pid_ > 0)
    ::kill(pid_, sig);
}

run_result run_process(std::vector<std::string> argv, const std::string& input,
                       std::vector<std::string> extra_env, std::chrono::milliseconds timeout) {
  child_process child{std::move(argv), std::move(extra_env)};
  if (!input.empty())
    child.write_stdin(input);
  child.close_stdin();
  run_result res;
  auto code = child.wait(timeout);
  res.code = code ? *code : -1;
  res.out = child.out();
  res.err = child.err();
  return res;
}

} // namespace pincer::test
