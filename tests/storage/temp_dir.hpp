#pragma once

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>

#include "events/envelope.hpp"

namespace pincer {

/// Prints error codes by name in Boost.Test messages.
inline std::ostream& boost_test_print_type(std::ostream& os, ec code) {
  return os << to_string(code);
}

} // namespace pincer

namespace pincer::test {

/// A fresh directory under the system temp folder, removed on destruction.
class temp_dir {
public:
  temp_dir() {
    auto pattern = (std::filesystem::temp_directory_path() / "pincer-storage-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  /// The directory itself.
  const std::filesystem::path& path() const {
    return path_;
  }

  /// A path inside the directory.
  std::string sub(const std::string& name) const {
    return (path_ / name).string();
  }

private:
  std::filesystem::path path_;
};

/// An append request with one event per type in `types`.
inline append_request request(std::string stream, uint64_t expected,
                              std::vector<std::string> types) {
  append_request req;
  req.stream = std::move(stream);
  req.expected_version = expected;
  req.actor = "key:test";
  req.request_id = "req-1";
  for (auto& t : types)
    req.events.push_back(draft{std::move(t), 1, json{{"n", req.events.size()}}});
  return req;
}

} // namespace pincer::test
