#pragma once

// The file-based IPC folder of every group: layout, host-to-container input
// files and the decision for one container-to-host file. Plain functions, no
// actors:
//
//   <data>/ipc/<group>/messages/   container -> host: chat messages
//   <data>/ipc/<group>/tasks/      container -> host: schedule and group requests
//   <data>/ipc/<group>/input/      host -> container: follow-ups and `_close`
//   <data>/ipc/errors/             files that could not be parsed, as `<group>-<file>`
//
// `ipc/<group>` is mounted read-write into the group's container, so every
// name inside it is untrusted: symlinks are never followed, file sizes are
// bounded, and the group's identity comes from the folder, never from a file.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Largest container-to-host file read (1 MiB); larger ones are rejected.
constexpr size_t max_ipc_file_bytes = 1024 * 1024;

/// The folder name of rejected files under the IPC root; never a group.
constexpr const char* ipc_errors_folder = "errors";

/// `<ipc_root>/<group>`.
std::filesystem::path ipc_group_dir(const std::filesystem::path& ipc_root,
                                    const std::string& group);

/// `<ipc_root>/errors`.
std::filesystem::path ipc_errors_dir(const std::filesystem::path& ipc_root);

/// Creates `<group>/{messages,tasks,input}` and `errors/`; true when
/// something was created. Fails with `validation_failed` (field `group`) for
/// a name that is not a valid namespace name.
result<bool> ensure_ipc_dirs(const std::filesystem::path& ipc_root, const std::string& group);

// -- host -> container (input/) -----------------------------------------------

/// A fresh input file name `<epochms>-<6 base36>.json`; names made by one
/// process sort in the order they were made, even within one millisecond.
std::string next_input_name();

/// Writes `input/<name>.json` = `{"type":"message","text":...}` through
/// `<name>.json.tmp` and a rename; returns the file name.
result<std::string> write_input_message(const std::filesystem::path& ipc_root,
                                        const std::string& group, const std::string& text);

/// Puts the empty sentinel `input/_close` in place: a hard link to an empty
/// file in the IPC root, or where that cannot be, a temp file and a rename.
result<unit> write_close(const std::filesystem::path& ipc_root, const std::string& group);

/// Removes everything in `input/` (run before a container starts); creates
/// the folder when missing.
result<unit> clear_input(const std::filesystem::path& ipc_root, const std::string& group);

// -- container -> host (messages/, tasks/) ------------------------------------

/// Which container-to-host folder a file came from.
enum class ipc_kind { messages, tasks };

/// `messages` or `tasks`.
const char* to_string(ipc_kind kind);

/// The regular `*.json` files of `<group>/messages` or `<group>/tasks`,
/// sorted by name. Temp files (`*.tmp`, `*.json.tmp`), symlinks and folders
/// are skipped; a folder that is a symlink lists nothing.
std::vector<std::filesystem::path> pending_ipc_files(const std::filesystem::path& ipc_root,
                                                     const std::string& group, ipc_kind kind);

/// Whether a group folder has anything in `messages/` or `tasks/`.
bool has_pending_ipc_files(const std::filesystem::path& ipc_root, const std::string& group);

/// Reads a pending file without following symlinks: `payload_too_large` when
/// over `max_ipc_file_bytes` (without reading it whole), `not_found` when it
/// is gone, `validation_failed` when it is not a regular file.
result<std::string> read_ipc_file(const std::filesystem::path& file);

/// Deletes a handled file (never through a symlinked folder).
result<unit> remove_ipc_file(const std::filesystem::path& file);

/// Moves a failing file to `errors/<group>-<file name>`; returns the new path.
result<std::filesystem::path> move_to_errors(const std::filesystem::path& ipc_root,
                                             const std::string& group,
                                             const std::filesystem::path& file);

// -- the decision for one file ------------------------------------------------

/// Who wrote a file: the group of the folder it was found in, whether that
/// group is main and the chats mapped to it (from the namespace, never from
/// the file).
struct ipc_identity {
  std::string group;
  bool is_main = false;
  std::vector<std::string> chat_jids;
};

/// What to do with one file.
enum class ipc_action {
  send_message,   ///< Send `text` to `chat_jid` through the channel layer.
  schedule_op,    ///< Forward `body` (the parsed file) to the scheduler.
  register_group, ///< Create a namespace from `body` (a namespace POST body).
  refresh_groups, ///< Ask the channels to sync their chat lists.
  reject,         ///< Do nothing; see `reason`.
};

/// `send_message`, `schedule_op`, ... as in the enum.
const char* to_string(ipc_action action);

/// The decision for one container-to-host file. The file is deleted after
/// any action; a rejected one goes to `errors/` when `to_errors` is set
/// (it could not be parsed) and is deleted otherwise (NanoClaw's rule for
/// unauthorised and incomplete requests).
struct ipc_decision {
  ipc_action action = ipc_action::reject;
  std::string type;     ///< The file's `type`, when it had a string one.
  std::string chat_jid; ///< send_message: target chat.
  std::string text;     ///< send_message: the text, sent raw.
  std::string sender;   ///< send_message: optional persona name, else empty.
  json body;            ///< schedule_op: the parsed file; register_group: the POST body.
  /// reject: `invalid_json`, `not_an_object`, `too_large`, `unreadable`,
  /// `missing_field`, `invalid_field`, `unauthorized`, `unknown_type`.
  std::string reason;
  std::string field;   ///< reject: the offending field, for the two field reasons.
  std::string message; ///< reject: a human sentence.
  bool to_errors = false;

  /// `{"action", "type", ...}` without the message text, for events and logs.
  json to_json() const;
};

/// Decides one file from its text, following NanoClaw's authorization
/// matrix: messages go to any chat from main and to the group's own chats
/// otherwise; schedule requests are forwarded (a non-main `schedule_task`
/// must target one of the group's chats; which schedules a group may touch
/// is the scheduler's check); `register_group` and `refresh_groups` are for
/// main only; `register_group` needs `jid`, `name`, `folder` (a valid
/// namespace name) and `trigger` and never sets `isMain`.
ipc_decision decide_ipc_file(ipc_kind kind, const std::string& raw_text,
                             const ipc_identity& who);

/// Reads (bounded, no symlinks) and decides one file; a file too large or
/// unreadable is rejected to `errors/`.
ipc_decision decide_ipc_path(ipc_kind kind, const std::filesystem::path& file,
                             const ipc_identity& who);

} // namespace pincer
