#include "tools/agent/runner.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "tools/agent/directives.hpp"
#include "tools/agent/ipc.hpp"

namespace pincer::agent {

using nlohmann::json;

namespace {

/// A non-negative decimal argument; throws when the text is not one.
unsigned long long number(const std::string& name, const std::string& arg) {
  size_t used = 0;
  unsigned long long value = 0;
  try {
    if (!arg.empty() && arg[0] != '-')
      value = std::stoull(arg, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != arg.size())
    throw std::runtime_error(name + ": not a non-negative number: '" + arg + "'");
  return value;
}

/// Splits `first rest...` at the first blank.
std::pair<std::string, std::string> split_first(const std::string& arg) {
  auto blank = arg.find_first_of(" \t");
  if (blank == std::string::npos)
    return {arg, {}};
  auto rest = arg.find_first_not_of(" \t", blank);
  return {arg.substr(0, blank), rest == std::string::npos ? std::string{} : arg.substr(rest)};
}

std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()
            % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

std::string big_text(unsigned long long bytes) {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz";
  std::string out(bytes, ' ');
  for (unsigned long long i = 0; i < bytes; ++i)
    out[i] = alphabet[i % 26];
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (auto& line : lines)
    out += (out.empty() ? "" : "\n") + line;
  return out;
}

/// The result being built for the next block of a prompt.
struct pending_result {
  std::vector<std::string> parts;
  std::vector<std::string> text;
  std::optional<std::string> session;
  bool dirty = false;
  int blocks = 0;

  void emit_to(const markers& marks) {
    std::optional<std::string> result;
    if (!parts.empty())
      result = joined(parts);
    else if (!text.empty())
      result = joined(text);
    emit(success_block(std::move(result), session), marks);
    parts.clear();
    text.clear();
    dirty = false;
    ++blocks;
  }
};

/// Carries out one directive. Returns an outcome when the prompt must end here.
std::optional<prompt_outcome> apply(const step& s, agent_state& state, pending_result& out,
                                    bool& idle) {
  auto& arg = s.argument;
  auto part = [&](std::string text) {
    out.parts.push_back(std::move(text));
    out.dirty = true;
  };
  if (s.name.empty()) {
    out.text.push_back(arg);
    out.dirty = true;
  } else if (s.name == "echo") {
    part(arg);
  } else if (s.name == "fail") {
    emit(error_block(arg), state.marks);
    return prompt_outcome{true, 1};
  } else if (s.name == "raw") {
    emit_raw(arg, state.marks);
  } else if (s.name == "crash") {
    return prompt_outcome{true, 2};
  } else if (s.name == "exit") {
    return prompt_outcome{true, static_cast<int>(number("exit", arg) & 0xff)};
  } else if (s.name == "hang") {
    for (;;)
      pause();
  } else if (s.name == "sleep") {
    std::this_thread::sleep_for(std::chrono::milliseconds(number("sleep", arg)));
  } else if (s.name == "spam") {
    auto n = number("spam", arg);
    for (unsigned long long i = 1; i <= n; ++i)
      std::printf("filler line %llu of %llu: lorem ipsum dolor sit amet\n", i, n);
    std::fflush(stdout);
    part("spammed " + std::to_string(n) + " lines");
  } else if (s.name == "big") {
    part(big_text(number("big", arg)));
  } else if (s.name == "send") {
    auto [jid, text] = split_first(arg);
    if (jid.empty())
      throw std::runtime_error("send: needs a chat JID");
    nlohmann::ordered_json msg{{"type", "message"}, {"chatJid", jid}, {"text", text},
                               {"groupFolder", state.input.group_folder},
                               {"timestamp", iso_now()}};
    write_atomically(state.ipc / "messages", msg.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  } else if (s.name == "task") {
    json task;
    try {
      task = json::parse(arg);
    } catch (const json::exception& e) {
      throw std::runtime_error(std::string{"task: not JSON: "} + e.what());
    }
    if (!task.is_object())
      throw std::runtime_error("task: must be a JSON object");
    write_atomically(state.ipc / "tasks", task.dump());
  } else if (s.name == "session") {
    out.session = arg;
    out.dirty = true;
  } else if (s.name == "nosession") {
    if (state.input.session_id) {
      emit(error_block("No conversation found with session ID: " + *state.input.session_id),
           state.marks);
      return prompt_outcome{true, 1};
    }
  } else if (s.name == "internal") {
    part("<internal>hidden</internal>visible");
  } else if (s.name == "write") {
    auto [path, text] = split_first(arg);
    write_file(path, text);
  } else if (s.name == "read") {
    part(read_file(arg));
  } else if (s.name == "env") {
    auto value = std::getenv(arg.c_str());
    part(value != nullptr ? value : "(unset)");
  } else if (s.name == "input") {
    part(describe_input(state.input));
  } else if (s.name == "markers") {
    if (arg == "nanoclaw")
      state.marks = nanoclaw_markers();
    else if (arg == "pincer")
      state.marks = pincer_markers();
    else
      throw std::runtime_error("markers: expected 'pincer' or 'nanoclaw', got '" + arg + "'");
  } else if (s.name == "stderr") {
    std::fprintf(stderr, "%s\n", arg.c_str());
    std::fflush(stderr);
  } else if (s.name == "once") {
    state.once = true;
  } else if (s.name == "stay") {
    state.once = false;
  } else if (s.name == "flush") {
    out.emit_to(state.marks);
  } else if (s.name == "idle") {
    idle = true;
  }
  return std::nullopt;
}

} // namespace

prompt_outcome run_prompt(const std::string& text, agent_state& state) {
  pending_result out;
  bool idle = false;
  for (auto& s : parse_prompt(text)) {
    try {
      if (auto done = apply(s, state, out, idle))
        return *done;
    } catch (const std::exception& e) {
      std::string what = e.what();
      if (what.compare(0, s.name.size() + 1, s.name + ":") != 0)
        what = s.name + ": " + what;
      emit(error_block(what), state.marks);
      return {true, 1};
    }
  }
  if (out.dirty || out.blocks == 0)
    out.emit_to(state.marks);
  if (idle)
    emit(success_block(std::nullopt, out.session), state.marks);
  return {state.once, 0};
}

} // namespace pincer::agent
