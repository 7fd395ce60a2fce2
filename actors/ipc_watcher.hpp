#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "events/error.hpp"

namespace pincer {

/// Tells which groups have new container-to-host IPC files. On Linux it
/// watches the IPC root, every group folder and every `<group>/messages` and
/// `<group>/tasks` with inotify (`*.json` files closed after writing or
/// renamed in), picking up group folders and their subfolders as they
/// appear; elsewhere, or when inotify is unavailable, it scans every
/// `poll_interval`. At start it reports every group that already has pending
/// files. `errors/` is never reported. Reports may be coalesced (the caller
/// lists the folder), but a file is never missed.
///
/// The callback runs on the watcher's own thread; it must not call `stop()`.
class ipc_watcher {
public:
  /// Receives the name of a group whose folder changed.
  using callback = std::function<void(const std::string& group)>;

  /// `allow_inotify = false` always polls (what other systems do).
  ipc_watcher(std::filesystem::path ipc_root, callback on_change,
              std::chrono::milliseconds poll_interval = std::chrono::milliseconds{250},
              bool allow_inotify = true);

  ipc_watcher(const ipc_watcher&) = delete;
  ipc_watcher& operator=(const ipc_watcher&) = delete;

  /// Stops the thread if it still runs.
  ~ipc_watcher();

  /// Creates the IPC root when missing and starts the watcher thread; falls
  /// back to polling when inotify cannot be set up. Fails when the root
  /// cannot be created or the watcher already runs.
  result<unit> start();

  /// Stops and joins the thread; returns promptly. Idempotent.
  void stop();

  /// Whether the thread runs.
  bool running() const;

  /// Whether changes come from inotify (false: polling).
  bool uses_inotify() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace pincer
