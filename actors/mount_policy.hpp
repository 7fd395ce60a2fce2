#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Most entries accepted in each allowlist list.
constexpr size_t max_allowlist_entries = 256;

/// Where validated extra mounts go inside a container.
constexpr const char* extra_mount_base = "/workspace/extra";

/// Patterns blocked for every mount, whatever the allowlist says.
const std::vector<std::string>& default_blocked_patterns();

/// The operator's mount allowlist (deny by default until configured).
struct mount_allowlist {
  std::vector<std::string> allowed_roots;     ///< Absolute, `~` expanded, normalised.
  std::vector<std::string> read_write_roots;  ///< Each inside an allowed root.
  std::vector<std::string> blocked_patterns;  ///< Extra patterns, as given.
  bool non_main_read_only = true;             ///< Non-main groups never mount rw.
  bool configured = false;                    ///< False until the first PUT.
  int64_t updated_at = 0;                     ///< Epoch ms of the last PUT, 0 if none.
};

/// Defaults plus the configured patterns, deduplicated case-insensitively
/// (the first spelling wins).
std::vector<std::string> effective_blocked_patterns(const mount_allowlist& list);

/// The GET `/container/mount/allowlist` body.
json to_json(const mount_allowlist& list);

/// Validates a PUT body; `home` expands `~`. The result is configured, with
/// `updated_at` left for the caller to stamp.
result<mount_allowlist> validate_allowlist(const json& body, const std::string& home);

/// One requested extra mount.
struct mount_request {
  std::string host_path;
  std::optional<std::string> container_path;
  bool read_only = true;
  std::string group;
};

/// Checks the types of a POST `/container/mount/validate` body.
result<mount_request> parse_mount_request(const json& body);

/// What the server knows about the caller and itself.
struct mount_context {
  std::string home;                          ///< The server user's home folder.
  bool is_main = false;                      ///< The group is the main group.
  std::vector<std::string> protected_paths;  ///< Data and config folders, never mountable.
};

/// The verdict on one mount; refused mounts have `allowed == false`.
struct mount_decision {
  bool allowed = false;
  std::string canonical_host_path;  ///< Empty until resolved.
  std::string container_path;       ///< Empty when it was refused.
  bool read_only = true;
  std::string message;
  std::optional<std::string> reason;
  std::optional<std::string> pattern;  ///< The match behind `blocked_pattern`.
};

/// The published POST `/container/mount/validate` response.
json to_json(const mount_decision& decision);

/// Applies the api.md §3 algorithm: the first failing step decides.
mount_decision validate_mount(const mount_request& request, const mount_allowlist& list,
                              const mount_context& context);

} // namespace pincer
