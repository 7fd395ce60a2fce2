#include "actors/mount_paths.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>
#include <vector>

namespace pincer {

bool contains_control_char(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) {
    return c < 0x20 || c == 0x7f;
  });
}

std::string ascii_lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string expand_home(const std::string& path, const std::string& home) {
  if (path == "~")
    return home;
  if (path.rfind("~/", 0) == 0)
    return home + path.substr(1);
  return path;
}

std::optional<std::string> normalise_absolute(const std::string& path) {
  if (path.empty() || path.front() != '/')
    return std::nullopt;
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string::npos)
      next = path.size();
    auto part = path.substr(pos, next - pos);
    if (part == "..") {
      if (!parts.empty())
        parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(std::move(part));
    }
    pos = next + 1;
  }
  std::string out;
  for (const auto& part : parts)
    out += "/" + part;
  return out.empty() ? std::string{"/"} : out;
}

bool path_within(const std::string& path, const std::string& root) {
  if (root == "/")
    return !path.empty() && path.front() == '/';
  if (path.size() < root.size() || path.compare(0, root.size(), root) != 0)
    return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

canonical_path canonicalise(const std::string& path) {
  std::error_code err;
  auto resolved = std::filesystem::canonical(path, err);
  if (err)
    return {std::nullopt, err.message()};
  return {resolved.string(), {}};
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace pincer
