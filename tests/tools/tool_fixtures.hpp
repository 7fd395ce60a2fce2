#pragma once

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "storage/event_store.hpp"

namespace pincer::test {

/// Appends one event to a stream, failing the test when the store refuses.
inline void append_event(event_store& store, const std::string& stream, const std::string& type,
                         json data, uint32_t schema_version = 1) {
  append_request req;
  req.stream = stream;
  req.actor = "key:test";
  req.request_id = "req-1";
  req.events.push_back(draft{type, schema_version, std::move(data)});
  auto res = store.append({req});
  BOOST_REQUIRE_MESSAGE(res.at(0), "append to " << stream << " failed");
}

/// Fills a store with five events over three streams:
///   1 namespace/a namespace.created   2 namespace/a namespace.updated
///   3 namespace/b namespace.created   4 instructions/global instructions.updated
///   5 namespace/a namespace.deleted
inline void fill_small_log(event_store& store) {
  append_event(store, "namespace/a", "namespace.created", json{{"name", "a"}}, 2);
  append_event(store, "namespace/a", "namespace.updated", json{{"name", "a"}});
  append_event(store, "namespace/b", "namespace.created", json{{"name", "b"}}, 2);
  append_event(store, "instructions/global", "instructions.updated", json{{"text", "hi"}});
  append_event(store, "namespace/a", "namespace.deleted", json::object());
}

/// Splits text into lines, dropping the final empty one.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

/// Each line parsed as JSON.
inline std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  for (auto& line : lines_of(text))
    out.push_back(json::parse(line));
  return out;
}

/// What a finished child process printed and how it exited.
struct process_result {
  std::string out;
  int exit_code = -1;
};

/// Runs a shell command line and collects its stdout and exit code.
inline process_result run_command(const std::string& command_line) {
  process_result res;
  auto pipe = popen(command_line.c_str(), "r");
  BOOST_REQUIRE_MESSAGE(pipe != nullptr, "popen failed: " << command_line);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;)
    res.out.append(buf, n);
  auto status = pclose(pipe);
  res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return res;
}

/// Quotes a path for the shell.
inline std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

} // namespace pincer::test
