#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/agent/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace pincer::test {

/// A fresh folder, removed at the end of the test.
using scratch_dir = temp_dir;

/// The built pincer-agent executable.
inline const std::string agent_binary = PINCER_AGENT_BINARY;

/// The marker lines of pincer's protocol.
inline const std::string pincer_start = "---PINCER_OUTPUT_START---";
inline const std::string pincer_end = "---PINCER_OUTPUT_END---";

/// The marker lines of the NanoClaw agent runner.
inline const std::string nanoclaw_start = "---NANOCLAW_OUTPUT_START---";
inline const std::string nanoclaw_end = "---NANOCLAW_OUTPUT_END---";

/// The JSON of every complete block framed by `start` / `end` lines in `out`.
inline std::vector<nlohmann::json> output_blocks(const std::string& out,
                                                 const std::string& start = pincer_start,
                                                 const std::string& end = pincer_end) {
  std::vector<nlohmann::json> blocks;
  for (auto pos = out.find(start + '\n'); pos != std::string::npos;
       pos = out.find(start + '\n', pos + 1)) {
    auto body = pos + start.size() + 1;
    auto stop = out.find('\n' + end + '\n', body);
    if (stop == std::string::npos)
      break;
    blocks.push_back(nlohmann::json::parse(out.substr(body, stop - body)));
  }
  return blocks;
}

/// The container input JSON for `prompt`, with fixed group and chat fields.
inline std::string agent_input(const std::string& prompt, const nlohmann::json& session = nullptr) {
  return nlohmann::json{{"prompt", prompt},
                        {"sessionId", session},
                        {"groupFolder", "team"},
                        {"chatJid", "tg:42"},
                        {"isMain", false},
                        {"isScheduledTask", false},
                        {"assistantName", "Andy"}}
    .dump();
}

/// The names of the files in `dir`, sorted; empty when it does not exist.
inline std::vector<std::string> file_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// Writes a file in one go through a temporary name, as the host does.
inline void put_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  auto tmp = path.string() + ".tmp";
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr)
      throw std::runtime_error("cannot write " + tmp);
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }
  std::filesystem::rename(tmp, path);
}

/// A whole file's content.
inline std::string slurp(const std::filesystem::path& path) {
  std::string out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    throw std::runtime_error("cannot read " + path.string());
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
    out.append(buf, n);
  std::fclose(f);
  return out;
}

} // namespace pincer::test
