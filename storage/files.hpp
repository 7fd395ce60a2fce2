#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "events/error.hpp"

namespace pincer {

/// Writes a file so that readers see the old or the new content, never a
/// mix: a temporary file in the same folder, fsync, rename, fsync of the
/// folder. Creates missing parent folders.
result<unit> write_file_atomic(const std::string& path, const std::string& content);

/// Reads a whole file; nullopt when it does not exist or cannot be read.
std::optional<std::string> read_file(const std::string& path);

/// Appends the rest of an open file to `out`, retrying interrupted reads,
/// and stops once `out` holds more than `limit` bytes. False when a read
/// fails (`errno` says why).
bool read_fd(int fd, std::string& out, size_t limit = SIZE_MAX);

} // namespace pincer
