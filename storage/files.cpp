#include "storage/files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include "events/time.hpp"

namespace pincer {

namespace fs = std::filesystem;

namespace {

error io_error(const std::string& what, const std::string& path) {
  return error{ec::internal, what + " " + path + ": " + std::strerror(errno)};
}

bool write_all(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

} // namespace

result<unit> write_file_atomic(const std::string& path, const std::string& content) {
  fs::path target{path};
  std::error_code err;
  fs::create_directories(target.parent_path(), err);
  if (err)
    return error{ec::internal, "cannot create " + target.parent_path().string()
                                 + ": " + err.message()};
  auto tmp = target.parent_path() / ("." + target.filename().string() + "."
                                     + make_uuid() + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_error("cannot create", tmp.string());
  bool ok = write_all(fd, content) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
    auto e = io_error("cannot write", target.string());
    ::unlink(tmp.c_str());
    return e;
  }
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return unit{};
}

std::optional<std::string> read_file(const std::string& path) {
  // Plain system calls: a missing file (the common case when a namespace is
  // created) costs one failed open(), no stream set-up.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::nullopt;
  std::string out;
  bool ok = read_fd(fd, out);
  ::close(fd);
  if (!ok)
    return std::nullopt;
  return out;
}

bool read_fd(int fd, std::string& out, size_t limit) {
  char buf[16384];
  while (out.size() <= limit) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return false;
    if (n == 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  return true;
}

} // namespace pincer
