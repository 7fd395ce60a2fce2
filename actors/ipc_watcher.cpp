#include "actors/ipc_watcher.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "actors/ipc_files.hpp"
#include "actors/namespace_state.hpp"

#ifdef __linux__
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>
#endif

namespace fs = std::filesystem;

namespace pincer {

namespace {

bool is_group_name(const std::string& name) {
  return name != ipc_errors_folder && valid_namespace_name(name);
}

bool is_box_name(const std::string& name) {
  return name == "messages" || name == "tasks";
}

bool ends_with_json(const std::string& name) {
  return name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0;
}

} // namespace

struct ipc_watcher::impl {
  fs::path root;
  callback on_change;
  std::chrono::milliseconds interval;
  bool allow_inotify = true;
  std::thread thread;
  std::atomic<bool> running{false};
  std::atomic<bool> inotify{false};
  std::mutex mtx;
  std::condition_variable cv;
  bool stop_requested = false; ///< Guarded by `mtx`.

  /// Calls the callback once per group; a throwing callback is logged.
  void report(const std::set<std::string>& groups) {
    for (auto& g : groups) {
      try {
        on_change(g);
      } catch (const std::exception& e) {
        spdlog::error("ipc watcher: callback for group {} failed: {}", g, e.what());
      } catch (...) {
        spdlog::error("ipc watcher: callback for group {} failed", g);
      }
    }
  }

  /// The group folders under the root (real folders with group names).
  std::vector<std::string> groups_on_disk() const {
    std::vector<std::string> out;
    std::error_code err;
    for (fs::directory_iterator i{root, err}, end; !err && i != end; i.increment(err)) {
      std::error_code st;
      auto name = i->path().filename().string();
      if (is_group_name(name) && fs::is_directory(i->symlink_status(st)))
        out.push_back(name);
    }
    return out;
  }

  /// Adds every group with pending files to `out`.
  void scan(std::set<std::string>& out) const {
    for (auto& g : groups_on_disk())
      if (has_pending_ipc_files(root, g))
        out.insert(g);
  }

  bool stopping() {
    std::lock_guard guard{mtx};
    return stop_requested;
  }

  /// Polling: report every group with pending files each interval.
  void poll_loop() {
    for (;;) {
      std::set<std::string> groups;
      scan(groups);
      report(groups);
      std::unique_lock guard{mtx};
      if (cv.wait_for(guard, interval, [this] { return stop_requested; }))
        return;
    }
  }

#ifdef __linux__
  enum class watch_kind { root, group, box };

  struct watch {
    watch_kind kind;
    std::string group;
  };

  int ino = -1;
  int wake = -1;
  std::unordered_map<int, watch> watches;
  bool degraded = false; ///< A watch could not be added: also scan every interval.

  static constexpr uint32_t dir_mask = IN_CREATE | IN_MOVED_TO | IN_ONLYDIR;
  static constexpr uint32_t box_mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW;

  bool add_watch(const fs::path& path, uint32_t mask, watch w) {
    int wd = inotify_add_watch(ino, path.c_str(), mask);
    if (wd < 0) {
      if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) {
        spdlog::warn("ipc watcher: cannot watch {}: {}; scanning every {} ms", path.string(),
                     std::strerror(errno), interval.count());
        degraded = true;
      }
      return false;
    }
    watches[wd] = std::move(w);
    return true;
  }

  /// Watches `<group>/<box>`, then reports the group when it holds files
  /// (files may have arrived before the watch).
  void watch_box(const std::string& group, const std::string& box, std::set<std::string>& out) {
    if (add_watch(root / group / box, box_mask, {watch_kind::box, group})
        && !pending_ipc_files(root, group, box == "messages" ? ipc_kind::messages : ipc_kind::tasks)
              .empty())
      out.insert(group);
  }

  /// Watches a group folder and its boxes.
  void watch_group(const std::string& group, std::set<std::string>& out) {
    if (!add_watch(root / group, dir_mask | IN_DONT_FOLLOW, {watch_kind::group, group}))
      return;
    for (auto box : {"messages", "tasks"})
      watch_box(group, box, out);
  }

  /// (Re)watches everything and reports every group with pending files.
  void rescan(std::set<std::string>& out) {
    for (auto& g : groups_on_disk())
      watch_group(g, out);
  }

  void handle(const inotify_event& ev, std::set<std::string>& out) {
    if (ev.mask & IN_Q_OVERFLOW) {
      rescan(out);
      return;
    }
    auto i = watches.find(ev.wd);
    if (i == watches.end())
      return;
    if (ev.mask & IN_IGNORED) {
      watches.erase(i);
      return;
    }
    std::string name = ev.len > 0 ? ev.name : "";
    auto w = i->second; // copy: watch_* may rehash the map
    bool dir = (ev.mask & IN_ISDIR) != 0;
    switch (w.kind) {
      case watch_kind::root:
        if (dir && is_group_name(name))
          watch_group(name, out);
        break;
      case watch_kind::group:
        if (dir && is_box_name(name))
          watch_box(w.group, name, out);
        break;
      case watch_kind::box:
        if (!dir && ends_with_json(name))
          out.insert(w.group);
        break;
    }
  }

  void close_fds() {
    if (ino >= 0)
      ::close(ino);
    if (wake >= 0)
      ::close(wake);
    ino = wake = -1;
    watches.clear();
  }

  /// Sets up inotify and the stop eventfd; false when unavailable.
  bool setup_inotify(std::set<std::string>& initial) {
    ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ino < 0 || wake < 0
        || !add_watch(root, dir_mask, {watch_kind::root, {}})) {
      spdlog::warn("ipc watcher: inotify unavailable; scanning every {} ms", interval.count());
      close_fds();
      return false;
    }
    rescan(initial);
    return true;
  }

  void inotify_loop(std::set<std::string> initial) {
    report(initial);
    alignas(inotify_event) char buf[64 * 1024];
    for (;;) {
      pollfd fds[2] = {{ino, POLLIN, 0}, {wake, POLLIN, 0}};
      int n = ::poll(fds, 2, degraded ? static_cast<int>(interval.count()) : -1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        spdlog::error("ipc watcher: poll failed: {}", std::strerror(errno));
        break;
      }
      if ((fds[1].revents & POLLIN) || stopping())
        break;
      std::set<std::string> changed;
      if (n == 0)
        rescan(changed);
      for (;;) {
        auto len = ::read(ino, buf, sizeof buf);
        if (len < 0 && errno == EINTR)
          continue;
        if (len <= 0)
          break;
        for (char* p = buf; p < buf + len;) {
          auto ev = reinterpret_cast<inotify_event*>(p);
          handle(*ev, changed);
          p += sizeof(inotify_event) + ev->len;
        }
      }
      report(changed);
    }
  }

  void wake_up() {
    if (wake >= 0) {
      uint64_t one = 1;
      [[maybe_unused]] auto ignored = ::write(wake, &one, sizeof one);
    }
  }
#else
  bool setup_inotify(std::set<std::string>&) {
    return false;
  }
  void inotify_loop(std::set<std::string>) {
  }
  void wake_up() {
  }
  void close_fds() {
  }
#endif
};

ipc_watcher::ipc_watcher(fs::path ipc_root, callback on_change,
                         std::chrono::milliseconds poll_interval, bool allow_inotify)
  : impl_(std::make_unique<impl>()) {
  impl_->allow_inotify = allow_inotify;
  impl_->root = std::move(ipc_root);
  impl_->on_change = std::move(on_change);
  impl_->interval = poll_interval;
}

ipc_watcher::~ipc_watcher() {
  stop();
}

result<unit> ipc_watcher::start() {
  auto& m = *impl_;
  if (m.running)
    return error{ec::conflict, "the IPC watcher already runs"};
  std::error_code err;
  fs::create_directories(m.root, err);
  if (err)
    return error{ec::internal, "cannot create " + m.root.string() + ": " + err.message()};
  {
    std::lock_guard guard{m.mtx};
    m.stop_requested = false;
  }
  std::set<std::string> initial;
  m.inotify = m.allow_inotify && m.setup_inotify(initial);
  m.running = true;
  if (m.inotify)
    m.thread = std::thread{[&m, initial = std::move(initial)]() mutable {
      m.inotify_loop(std::move(initial));
    }};
  else
    m.thread = std::thread{[&m] { m.poll_loop(); }};
  return unit{};
}

void ipc_watcher::stop() {
  auto& m = *impl_;
  if (!m.running)
    return;
  {
    std::lock_guard guard{m.mtx};
    m.stop_requested = true;
  }
  m.cv.notify_all();
  m.wake_up();
  if (m.thread.get_id() == std::this_thread::get_id())
    m.thread.detach(); // called from the callback: the loop ends on its own
  else if (m.thread.joinable()) {
    m.thread.join();
    m.close_fds();
  }
  m.running = false;
}

bool ipc_watcher::running() const {
  return impl_->running;
}

bool ipc_watcher::uses_inotify() const {
  return impl_->inotify;
}

} // namespace pincer
