#pragma once

#include <optional>
#include <string>

namespace pincer {

/// Longest path accepted anywhere in the mount policy.
constexpr size_t max_mount_path_bytes = 4096;

/// Whether a string holds a control character (below 0x20, or 0x7f).
bool contains_control_char(const std::string& s);

/// ASCII lower-case copy.
std::string ascii_lower(std::string s);

/// `~` becomes `home`, `~/x` becomes `home/x`; anything else is returned as is.
std::string expand_home(const std::string& path, const std::string& home);

/// Lexical normal form of an absolute path: no empty or `.` components, `..`
/// applied (never above `/`), no trailing slash. Nothing for a relative path.
std::optional<std::string> normalise_absolute(const std::string& path);

/// Whether `path` equals `root` or lies below it, by whole path components
/// (`/home/al` does not contain `/home/alice`). Both must be normalised.
bool path_within(const std::string& path, const std::string& root);

/// The canonical form of an existing path with every symlink resolved, or the
/// system's reason why it cannot be resolved.
struct canonical_path {
  std::optional<std::string> path;
  std::string failure;
};

/// Resolves `path` (absolute) like realpath(3).
canonical_path canonicalise(const std::string& path);

/// The last component of a normalised absolute path (empty for `/`).
std::string base_name(const std::string& path);

} // namespace pincer
