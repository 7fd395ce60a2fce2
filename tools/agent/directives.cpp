#include "tools/agent/directives.hpp"

#include <algorithm>
#include <sstream>

namespace pincer::agent {

namespace {

/// Directives that take an argument after a colon.
const std::vector<std::string> with_argument = {
  "echo", "fail", "sleep", "spam", "big", "send", "task", "session",
  "write", "read", "env", "markers", "stderr", "exit", "raw",
};

/// Directives that are a bare word on their own line.
const std::vector<std::string> bare = {
  "crash", "hang", "nosession", "internal", "stay", "once", "flush", "idle", "input",
};

std::string trim(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string xml_unescape(const std::string& s) {
  static const std::pair<const char*, char> entities[] = {
    {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'},
  };
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool matched = false;
    for (auto& [entity, c] : entities) {
      if (s.compare(i, std::char_traits<char>::length(entity), entity) == 0) {
        out += c;
        i += std::char_traits<char>::length(entity);
        matched = true;
        break;
      }
    }
    if (!matched)
      out += s[i++];
  }
  return out;
}

/// Removes the host's `<message ...>` / `</message>` wrapping from one line.
std::string unwrap_message(std::string line) {
  bool wrapped = false;
  if ((starts_with(line, "<message ") || starts_with(line, "<message>"))) {
    if (auto close = line.find('>'); close != std::string::npos) {
      line.erase(0, close + 1);
      wrapped = true;
    }
  }
  if (ends_with(line, "</message>")) {
    line.erase(line.size() - std::char_traits<char>::length("</message>"));
    wrapped = true;
  }
  return wrapped ? trim(xml_unescape(line)) : line;
}

/// A line holding exactly one tag and nothing else.
bool lone_tag(const std::string& line) {
  return line.size() >= 2 && line.front() == '<' && line.back() == '>'
         && std::count(line.begin(), line.end(), '<') == 1;
}

step classify(const std::string& line) {
  if (std::find(bare.begin(), bare.end(), line) != bare.end())
    return {line, {}};
  for (auto& name : with_argument)
    if (starts_with(line, name + ':'))
      return {name, trim(line.substr(name.size() + 1))};
  return {{}, line};
}

} // namespace

std::vector<step> parse_prompt(const std::string& text) {
  std::vector<step> out;
  std::istringstream in{text};
  for (std::string raw; std::getline(in, raw);) {
    auto line = trim(raw);
    if (line.empty() || lone_tag(line))
      continue;
    line = unwrap_message(line);
    if (!line.empty())
      out.push_back(classify(line));
  }
  return out;
}

} // namespace pincer::agent
