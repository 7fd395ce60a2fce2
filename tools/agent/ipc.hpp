#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pincer::agent {

/// The IPC folder: `$PINCER_AGENT_IPC_DIR`, or `/workspace/ipc` when unset or empty.
std::filesystem::path ipc_dir();

/// A fresh file name `<epochms>-<6 base36 chars>.json`.
std::string unique_file_name();

/// Writes `content` to `dir/<unique name>` through a `.tmp` sibling and a rename,
/// creating `dir` when missing. Returns the final path; throws `std::runtime_error`.
std::filesystem::path write_atomically(const std::filesystem::path& dir, const std::string& content);

/// Writes `content` to `path` in place. Throws `std::runtime_error` with the OS reason.
void write_file(const std::filesystem::path& path, const std::string& content);

/// Reads a whole file. Throws `std::runtime_error` with the OS reason.
std::string read_file(const std::filesystem::path& path);

/// What one look into `input/` found.
struct input_poll {
  /// Texts of the pending `{"type":"message"}` files, in file name order.
  std::vector<std::string> messages;
  /// `_close` was present (and has been deleted).
  bool close = false;
};

/// Takes the pending input: notes `_close` first, then reads and deletes every `*.json`
/// file in name order. Unreadable or non-message files are deleted and skipped with a
/// line on stderr; `*.tmp` and other names are left alone.
input_poll take_input(const std::filesystem::path& input_dir);

} // namespace pincer::agent
