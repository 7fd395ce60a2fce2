#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace pincer {

/// A started child: its pid and the parent's ends of its stdio pipes.
struct spawned_child {
  pid_t pid = -1;
  int stdin_fd = -1;   ///< Write end of the child's stdin.
  int stdout_fd = -1;  ///< Read end of the child's stdout.
  int stderr_fd = -1;  ///< Read end of the child's stderr.
  int pidfd = -1;      ///< Readable once the child exits; -1 when the kernel has no pidfd.
};

/// Starts `argv` (`argv[0]` looked up on PATH, no shell) in its own process
/// group, with stdio on close-on-exec pipes, no other inherited descriptors,
/// default signal handling, and `child_environment(env)`. On failure returns
/// nullopt and says why in `why`.
std::optional<spawned_child> spawn_child(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env,
                                         std::string& why);

} // namespace pincer
