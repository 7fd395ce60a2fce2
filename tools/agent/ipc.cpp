#include "tools/agent/ipc.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pincer::agent {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::runtime_error os_error(const std::string& what, const fs::path& path) {
  return std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

fs::path ipc_dir() {
  auto env = std::getenv("PINCER_AGENT_IPC_DIR");
  return env != nullptr && *env != '\0' ? fs::path{env} : fs::path{"/workspace/ipc"};
}

std::string unique_file_name() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
  std::string name = std::to_string(ms) + '-';
  std::uniform_int_distribution<int> pick{0, 35};
  for (int i = 0; i < 6; ++i)
    name += digits[pick(rng)];
  return name + ".json";
}

void write_file(const fs::path& path, const std::string& content) {
  auto f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    throw os_error("cannot open", path);
  auto ok = std::fwrite(content.data(), 1, content.size(), f) == content.size()
            && std::fflush(f) == 0;
  auto saved = errno;
  auto closed = std::fclose(f) == 0;
  if (!ok)
    errno = saved;
  if (!ok || !closed)
    throw os_error("cannot write", path);
}

std::string read_file(const fs::path& path) {
  auto f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    throw os_error("cannot open", path);
  std::string out;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
    out.append(buf, n);
  auto failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed)
    throw os_error("cannot read", path);
  return out;
}

fs::path write_atomically(const fs::path& dir, const std::string& content) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  auto final_path = dir / unique_file_name();
  auto tmp_path = fs::path{final_path.string() + ".tmp"};
  write_file(tmp_path, content);
  if (std::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    auto err = os_error("cannot rename", tmp_path);
    fs::remove(tmp_path, ec);
    throw err;
  }
  return final_path;
}

input_poll take_input(const fs::path& input_dir) {
  input_poll poll;
  std::error_code ec;
  auto close_path = input_dir / "_close";
  poll.close = fs::exists(close_path, ec);
  std::vector<fs::path> files;
  for (fs::directory_iterator it{input_dir, ec}, end; !ec && it != end; it.increment(ec))
    if (ends_with(it->path().filename().string(), ".json"))
      files.push_back(it->path());
  std::sort(files.begin(), files.end());
  for (auto& file : files) {
    try {
      auto msg = json::parse(read_file(file));
      fs::remove(file, ec);
      if (msg.is_object() && msg.value("type", "") == "message" && msg.contains("text")
          && msg["text"].is_string())
        poll.messages.push_back(msg["text"].get<std::string>());
      else
        std::fprintf(stderr, "pincer-agent: skipping %s: not a message\n", file.c_str());
    } catch (const std::exception& e) {
      fs::remove(file, ec);
      std::fprintf(stderr, "pincer-agent: skipping %s: %s\n", file.c_str(), e.what());
    }
  }
  if (poll.close)
    fs::remove(close_path, ec);
  return poll;
}

} // namespace pincer::agent
