#include "tests/e2e/server_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace pincer::e2e {

namespace {

constexpr std::string_view listening_prefix = "pincer listening on http://";

/// The child's environment: ours with `changes` applied.
std::vector<std::string> child_environment(const env_changes& changes) {
  auto effective = changes;
  effective.emplace("PINCER_API_KEYS", std::nullopt);
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry{*e};
    auto name = entry.substr(0, entry.find('='));
    if (effective.count(name) == 0)
      out.push_back(std::move(entry));
  }
  for (auto& [name, value] : effective)
    if (value)
      out.push_back(name + "=" + *value);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

} // namespace

std::string pincer_binary() {
  return PINCER_BINARY;
}

process_result run_pincer(const std::vector<std::string>& args, const env_changes& env,
                          std::chrono::milliseconds timeout) {
  server_process child{args, env};
  process_result res;
  auto code = child.wait_exit(timeout);
  if (!code) {
    child.kill9();
    res.output = child.output();
    return res;
  }
  child.wait_output_closed(std::chrono::seconds{2});
  res.exit_code = *code;
  res.output = child.output();
  return res;
}

// -- server_process -----------------------------------------------------------

server_process::server_process(std::vector<std::string> args, const env_changes& env) {
  std::vector<std::string> argv_strings{pincer_binary()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto env_strings = child_environment(env);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string{"pipe2 failed: "} + std::strerror(errno));
  auto parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error(std::string{"fork failed: "} + std::strerror(errno));
  }
  if (pid_ == 0) {
    // Only async-signal-safe calls from here on.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
      dup2(devnull, STDIN_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  reader_ = std::thread{[this, fd = fds[0]] { read_output(fd); }};
}

server_process::~server_process() {
  if (running())
    kill9();
  if (reader_.joinable())
    reader_.join();
}

std::unique_ptr<server_process>
server_process::serve(const std::string& data_dir, std::vector<std::string> extra_args,
                      const env_changes& env, std::chrono::milliseconds timeout) {
  std::vector<std::string> args{"serve", "--host", "127.0.0.1", "--port", "0",
                                "--data-dir", data_dir};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  if (std::find(args.begin(), args.end(), "--runtime") == args.end())
    args.insert(args.end(), {"--runtime", "docker"});
  auto p = std::make_unique<server_process>(std::move(args), env);
  if (!p->wait_listening(timeout)) {
    auto out = p->output();
    p->kill9();
    throw std::runtime_error("pincer serve did not start; it printed:\n" + out);
  }
  return p;
}

void server_process::read_output(int fd) {
  char buf[4096];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    std::lock_guard<std::mutex> guard{mtx_};
    output_.append(buf, static_cast<size_t>(n));
    if (port_ == 0) {
      auto at = output_.find(listening_prefix);
      auto eol = at == std::string::npos ? at : output_.find('\n', at);
      if (eol != std::string::npos) {
        // `<address>:<port>` right after the prefix.
        auto from = at + listening_prefix.size();
        auto line = output_.substr(from, eol - from);
        auto colon = line.find_first_not_of("0123456789.");
        if (colon != std::string::npos && line[colon] == ':')
          port_ = static_cast<uint16_t>(std::strtoul(line.c_str() + colon + 1, nullptr, 10));
      }
    }
    cv_.notify_all();
  }
  close(fd);
  std::lock_guard<std::mutex> guard{mtx_};
  eof_ = true;
  cv_.notify_all();
}

bool server_process::wait_listening(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  cv_.wait_for(lock, timeout, [this] { return port_ != 0 || eof_; });
  return port_ != 0;
}

bool server_process::wait_output_closed(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [this] { return eof_; });
}

uint16_t server_process::port() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return port_;
}

std::string server_process::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

std::optional<int> server_process::reap(bool block) {
  if (exit_code_)
    return exit_code_;
  if (pid_ <= 0)
    return std::nullopt;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_)
    exit_code_ = decode_status(status);
  return exit_code_;
}

bool server_process::running() {
  return !reap(false);
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap(false)) {
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return exit_code_;
}

void server_process::signal(int sig) {
  if (running())
    ::kill(pid_, sig);
}

int server_process::stop(std::chrono::milliseconds timeout) {
  signal(SIGTERM);
  if (auto code = wait_exit(timeout))
    return *code;
  kill9();
  return -1;
}

void server_process::kill9() {
  if (!running())
    return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

std::string server_process::output() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return output_;
}

} // namespace pincer::e2e
