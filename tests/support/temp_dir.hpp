#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace pincer::test {

/// A fresh folder under the system temp folder, removed on destruction.
class temp_dir {
public:
  temp_dir() {
    auto pattern = (std::filesystem::temp_directory_path() / "pincer-test-XXXXXX").string();
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

  /// The folder itself.
  const std::filesystem::path& path() const {
    return path_;
  }

  /// A path inside the folder, as a string.
  std::string sub(const std::string& name) const {
    return (path_ / name).string();
  }

  /// A path inside the folder.
  std::filesystem::path at(const std::string& name) const {
    return path_ / name;
  }

private:
  std::filesystem::path path_;
};

} // namespace pincer::test
