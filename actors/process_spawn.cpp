#include "actors/process_spawn.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "actors/process.hpp"

namespace pincer {

namespace {

/// Moves a descriptor above 0..2 so that dup2 onto stdio never collides.
int raise_fd(int fd) {
  if (fd > 2)
    return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

/// A close-on-exec pipe; both ends are -1 on failure.
struct pipe_fds {
  int read = -1;
  int write = -1;

  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      return false;
    read = raise_fd(fds[0]);
    write = raise_fd(fds[1]);
    return read >= 0 && write >= 0;
  }

  void close_all() {
    for (int* fd : {&read, &write})
      if (*fd >= 0) {
        ::close(*fd);
        *fd = -1;
      }
  }
};

} // namespace

const std::vector<std::string>& inherited_env_keys() {
  static const std::vector<std::string> keys{"PATH",        "HOME",   "CONTAINERS_CONF",
                                             "DOCKER_HOST", "XDG_RUNTIME_DIR", "TMPDIR"};
  return keys;
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> vars;
  for (const auto& key : inherited_env_keys())
    if (const char* value = std::getenv(key.c_str()))
      vars[key] = value;
  if (vars.count("PATH") == 0)
    vars["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& [key, value] : extra)
    vars[key] = value;
  std::vector<std::string> result;
  result.reserve(vars.size());
  for (const auto& [key, value] : vars)
    result.push_back(key + "=" + value);
  return result;
}

std::optional<spawned_child> spawn_child(const std::vector<std::string>& argv_in,
                                         const std::map<std::string, std::string>& env,
                                         std::string& why) {
  if (argv_in.empty() || argv_in[0].empty()) {
    why = "cannot start a process without a program name";
    return std::nullopt;
  }
  for (const auto& kv : env)
    if (kv.first.empty() || kv.first.find_first_of(std::string{"=\0", 2}) != std::string::npos
        || kv.second.find('\0') != std::string::npos) {
      why = "invalid environment variable name or value";
      return std::nullopt;
    }
  for (const auto& arg : argv_in)
    if (arg.find('\0') != std::string::npos) {
      why = "an argument contains a NUL byte";
      return std::nullopt;
    }
  pipe_fds in, out, err;
  if (!in.open() || !out.open() || !err.open()) {
    why = std::string{"cannot create pipes: "} + std::strerror(errno);
    in.close_all();
    out.close_all();
    err.close_all();
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK
                                    | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t mask;
  sigemptyset(&mask);
  posix_spawnattr_setsigmask(&attr, &mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD})
    sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  std::vector<char*> argv;
  for (const auto& arg : argv_in)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  auto env_strings = child_environment(env);
  std::vector<char*> envp;
  for (auto& var : env_strings)
    envp.push_back(var.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in.read);
  ::close(out.write);
  ::close(err.write);
  if (rc != 0) {
    ::close(in.write);
    ::close(out.read);
    ::close(err.read);
    why = "cannot start " + argv_in[0] + ": " + std::strerror(rc);
    return std::nullopt;
  }
  spawned_child child;
  child.pid = pid;
  child.stdin_fd = in.write;
  child.stdout_fd = out.read;
  child.stderr_fd = err.read;
  child.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (child.pidfd >= 0)
    ::fcntl(child.pidfd, F_SETFD, FD_CLOEXEC);
  return child;
}

} // namespace pincer
