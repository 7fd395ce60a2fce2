#include "actors/ipc_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/namespace_state.hpp"
#include "events/time.hpp"
#include "storage/files.hpp"

namespace fs = std::filesystem;

namespace pincer {

namespace {

// -- file descriptors ---------------------------------------------------------

/// An open folder, opened without following a symlink in its last part.
class dir_fd {
public:
  explicit dir_fd(const fs::path& dir)
    : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)),
      errno_(fd_ < 0 ? errno : 0) {
  }
  dir_fd(const dir_fd&) = delete;
  dir_fd& operator=(const dir_fd&) = delete;
  ~dir_fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  explicit operator bool() const {
    return fd_ >= 0;
  }
  int get() const {
    return fd_;
  }
  int open_errno() const {
    return errno_;
  }

private:
  int fd_;
  int errno_;
};

error io_error(const std::string& what, int err) {
  return error{ec::internal, what + ": " + std::strerror(err)};
}

bool valid_group(const std::string& group) {
  return valid_namespace_name(group) && group != ipc_errors_folder;
}

/// Makes `dir` a real folder: a symlink or file in its place is removed.
result<bool> make_real_dir(const fs::path& dir) {
  std::error_code err;
  auto st = fs::symlink_status(dir, err);
  if (fs::is_directory(st))
    return false;
  if (fs::exists(st) || fs::is_symlink(st))
    fs::remove(dir, err);
  if (!fs::create_directories(dir, err) && err)
    return error{ec::internal, "cannot create " + dir.string() + ": " + err.message()};
  return true;
}

/// Writes `content` to `<dir>/<name>` through `<name>.tmp` and a rename,
/// never following a symlink.
result<unit> write_atomically(const fs::path& dir, const std::string& name,
                              const std::string& content) {
  if (auto made = make_real_dir(dir); !made)
    return made.err();
  dir_fd d{dir};
  if (!d)
    return io_error("cannot open " + dir.string(), d.open_errno());
  auto tmp = name + ".tmp";
  ::unlinkat(d.get(), tmp.c_str(), 0);
  int fd = ::openat(d.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0644);
  if (fd < 0)
    return io_error("cannot create " + (dir / tmp).string(), errno);
  size_t done = 0;
  while (done < content.size()) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      auto e = errno;
      ::close(fd);
      ::unlinkat(d.get(), tmp.c_str(), 0);
      return io_error("cannot write " + (dir / tmp).string(), e);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::renameat(d.get(), tmp.c_str(), d.get(), name.c_str()) != 0) {
    auto e = errno;
    ::unlinkat(d.get(), tmp.c_str(), 0);
    return io_error("cannot rename " + (dir / tmp).string(), e);
  }
  return unit{};
}

/// The empty file in the IPC root, outside every container's mount, that
/// each `_close` is a hard link to.
constexpr const char* close_template = ".close";

/// Makes `<root>/.close` an empty regular file (replacing anything else
/// there: a symlink, a folder, a file a container wrote into through its
/// link); false when it cannot.
bool ensure_close_template(int root) {
  struct stat st {};
  if (::fstatat(root, close_template, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISREG(st.st_mode) && st.st_size == 0)
      return true;
    if (::unlinkat(root, close_template, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
      return false;
  }
  int fd = ::openat(root, close_template, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0444);
  if (fd < 0)
    return errno == EEXIST;
  ::close(fd);
  return true;
}

/// Makes `<input>/_close` a hard link to the root's empty template: a link
/// makes no inode, where a new file on ext4 without a journal first steps
/// past every recently freed one, and a run writes one `_close` each time.
/// True when `_close` is there (an earlier one not yet taken counts).
bool link_close_sentinel(const fs::path& ipc_root, const fs::path& input) {
  if (!make_real_dir(input))
    return false;
  dir_fd root{ipc_root};
  dir_fd in{input};
  if (!root || !in || !ensure_close_template(root.get()))
    return false;
  if (::linkat(root.get(), close_template, in.get(), "_close", 0) == 0)
    return true;
  struct stat st {};
  return errno == EEXIST && ::fstatat(in.get(), "_close", &st, AT_SYMLINK_NOFOLLOW) == 0
         && S_ISREG(st.st_mode);
}

/// Removes everything inside the open folder `fd`, through descriptors only,
/// so that a symlink swapped in meanwhile is removed, never followed.
bool remove_contents(int fd) {
  int dup = ::dup(fd);
  if (dup < 0)
    return false;
  DIR* dir = ::fdopendir(dup);
  if (!dir) {
    ::close(dup);
    return false;
  }
  std::vector<std::string> names;
  while (auto* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..")
      names.push_back(std::move(name));
  }
  ::closedir(dir);
  bool ok = true;
  for (auto& name : names) {
    if (::unlinkat(fd, name.c_str(), 0) == 0 || errno == ENOENT)
      continue;
    if (errno != EISDIR && errno != EPERM) {
      ok = false;
      continue;
    }
    int sub = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) {
      ok = false;
      continue;
    }
    ok = remove_contents(sub) && ok;
    ::close(sub);
    if (::unlinkat(fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
      ok = false;
  }
  return ok;
}

std::string base36(uint64_t x, size_t width) {
  static constexpr char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out(width, '0');
  for (size_t i = width; i-- > 0 && x > 0; x /= 36)
    out[i] = digits[x % 36];
  return out;
}

} // namespace

// -- layout -------------------------------------------------------------------

fs::path ipc_group_dir(const fs::path& ipc_root, const std::string& group) {
  return ipc_root / group;
}

fs::path ipc_errors_dir(const fs::path& ipc_root) {
  return ipc_root / ipc_errors_folder;
}

result<bool> ensure_ipc_dirs(const fs::path& ipc_root, const std::string& group) {
  if (!valid_group(group))
    return invalid("group", "group must be a valid namespace name");
  bool created = false;
  for (auto dir : {ipc_errors_dir(ipc_root), ipc_group_dir(ipc_root, group),
                   ipc_group_dir(ipc_root, group) / "messages",
                   ipc_group_dir(ipc_root, group) / "tasks",
                   ipc_group_dir(ipc_root, group) / "input"}) {
    auto made = make_real_dir(dir);
    if (!made)
      return made.err();
    created = created || *made;
  }
  return created;
}

// -- input --------------------------------------------------------------------

std::string next_input_name() {
  static std::mutex mtx;
  static int64_t last_ms = 0;
  static uint64_t counter = 0;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard guard{mtx};
  auto ms = std::max(now_ms(), last_ms);
  if (ms != last_ms) {
    last_ms = ms;
    counter = rng() % (36u * 36 * 36 * 36); // leaves room for 36^6 - 36^4 more names
  } else {
    ++counter;
  }
  auto digits = std::to_string(ms);
  if (digits.size() < 13)
    digits.insert(0, 13 - digits.size(), '0');
  return digits + "-" + base36(counter, 6) + ".json";
}

result<std::string> write_input_message(const fs::path& ipc_root, const std::string& group,
                                        const std::string& text) {
  if (!valid_group(group))
    return invalid("group", "group must be a valid namespace name");
  auto name = next_input_name();
  json body{{"type", "message"}, {"text", text}};
  auto content = body.dump(-1, ' ', false, json::error_handler_t::replace);
  if (auto ok = write_atomically(ipc_group_dir(ipc_root, group) / "input", name, content); !ok)
    return ok.err();
  return name;
}

result<unit> write_close(const fs::path& ipc_root, const std::string& group) {
  if (!valid_group(group))
    return invalid("group", "group must be a valid namespace name");
  auto dir = ipc_group_dir(ipc_root, group) / "input";
  if (link_close_sentinel(ipc_root, dir))
    return unit{};
  return write_atomically(dir, "_close", "");
}

result<unit> clear_input(const fs::path& ipc_root, const std::string& group) {
  if (!valid_group(group))
    return invalid("group", "group must be a valid namespace name");
  auto dir = ipc_group_dir(ipc_root, group) / "input";
  if (auto made = make_real_dir(dir); !made)
    return made.err();
  dir_fd d{dir};
  if (!d)
    return io_error("cannot open " + dir.string(), d.open_errno());
  if (!remove_contents(d.get()))
    return io_error("cannot empty " + dir.string(), errno);
  return unit{};
}

// -- pending files ------------------------------------------------------------

const char* to_string(ipc_kind kind) {
  return kind == ipc_kind::messages ? "messages" : "tasks";
}

std::vector<fs::path> pending_ipc_files(const fs::path& ipc_root, const std::string& group,
                                        ipc_kind kind) {
  std::vector<fs::path> out;
  if (!valid_group(group))
    return out;
  auto dir = ipc_group_dir(ipc_root, group) / to_string(kind);
  std::error_code err;
  if (!fs::is_directory(fs::symlink_status(dir, err)))
    return out;
  for (fs::directory_iterator i{dir, err}, end; !err && i != end; i.increment(err)) {
    auto name = i->path().filename().string();
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".json") != 0)
      continue;
    std::error_code st_err;
    if (fs::is_regular_file(i->symlink_status(st_err)))
      out.push_back(i->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool has_pending_ipc_files(const fs::path& ipc_root, const std::string& group) {
  return !pending_ipc_files(ipc_root, group, ipc_kind::messages).empty()
         || !pending_ipc_files(ipc_root, group, ipc_kind::tasks).empty();
}

result<std::string> read_ipc_file(const fs::path& file) {
  dir_fd d{file.parent_path()};
  if (!d)
    return error{d.open_errno() == ENOENT ? ec::not_found : ec::validation_failed,
                 "cannot open the folder of " + file.string()};
  auto name = file.filename().string();
  int fd = ::openat(d.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    auto e = errno;
    return error{e == ENOENT ? ec::not_found : ec::validation_failed,
                 "cannot open " + file.string() + ": " + std::strerror(e)};
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return error{ec::validation_failed, file.string() + " is not a regular file"};
  }
  auto too_large = [&] {
    return error{ec::payload_too_large, file.string() + " is larger than "
                                          + std::to_string(max_ipc_file_bytes) + " bytes"};
  };
  if (static_cast<uint64_t>(st.st_size) > max_ipc_file_bytes) {
    ::close(fd);
    return too_large();
  }
  std::string out;
  bool ok = read_fd(fd, out, max_ipc_file_bytes);
  auto e = errno;
  ::close(fd);
  if (!ok)
    return io_error("cannot read " + file.string(), e);
  if (out.size() > max_ipc_file_bytes)
    return too_large(); // it grew after the size check
  return out;
}

result<unit> remove_ipc_file(const fs::path& file) {
  dir_fd d{file.parent_path()};
  if (!d)
    return io_error("cannot open the folder of " + file.string(), d.open_errno());
  if (::unlinkat(d.get(), file.filename().c_str(), 0) != 0 && errno != ENOENT)
    return io_error("cannot remove " + file.string(), errno);
  return unit{};
}

result<fs::path> move_to_errors(const fs::path& ipc_root, const std::string& group,
                                const fs::path& file) {
  auto errors = ipc_errors_dir(ipc_root);
  if (auto made = make_real_dir(errors); !made)
    return made.err();
  dir_fd from{file.parent_path()};
  if (!from)
    return io_error("cannot open the folder of " + file.string(), from.open_errno());
  dir_fd to{errors};
  if (!to)
    return io_error("cannot open " + errors.string(), to.open_errno());
  auto target = group + "-" + file.filename().string();
  if (::renameat(from.get(), file.filename().c_str(), to.get(), target.c_str()) != 0)
    return io_error("cannot move " + file.string() + " to " + errors.string(), errno);
  return errors / target;
}

} // namespace pincer
