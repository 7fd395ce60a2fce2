#include "tools/agent/protocol.hpp"

#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pincer::agent {

using nlohmann::json;

markers pincer_markers() {
  return {"---PINCER_OUTPUT_START---", "---PINCER_OUTPUT_END---"};
}

markers nanoclaw_markers() {
  return {"---NANOCLAW_OUTPUT_START---", "---NANOCLAW_OUTPUT_END---"};
}

namespace {

std::string string_field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null())
    return {};
  if (!it->is_string())
    throw std::runtime_error(std::string{"field '"} + name + "' must be a string");
  return it->get<std::string>();
}

bool bool_field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null())
    return false;
  if (!it->is_boolean())
    throw std::runtime_error(std::string{"field '"} + name + "' must be a boolean");
  return it->get<bool>();
}

template <class Json>
std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace

agent_input parse_input(const std::string& text) {
  json obj;
  try {
    obj = json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string{"input is not JSON: "} + e.what());
  }
  if (!obj.is_object())
    throw std::runtime_error("input must be a JSON object");
  if (!obj.contains("prompt") || !obj["prompt"].is_string())
    throw std::runtime_error("field 'prompt' is missing or not a string");
  agent_input in;
  in.prompt = obj["prompt"].get<std::string>();
  if (auto id = string_field(obj, "sessionId"); !id.empty())
    in.session_id = id;
  in.group_folder = string_field(obj, "groupFolder");
  in.chat_jid = string_field(obj, "chatJid");
  in.is_main = bool_field(obj, "isMain");
  in.is_scheduled_task = bool_field(obj, "isScheduledTask");
  in.assistant_name = string_field(obj, "assistantName");
  return in;
}

std::string describe_input(const agent_input& input) {
  nlohmann::ordered_json obj{
    {"sessionId", input.session_id ? json(*input.session_id) : json(nullptr)},
    {"groupFolder", input.group_folder},
    {"chatJid", input.chat_jid},
    {"isMain", input.is_main},
    {"isScheduledTask", input.is_scheduled_task},
    {"assistantName", input.assistant_name}};
  return dump(obj);
}

output_block success_block(std::optional<std::string> result,
                           std::optional<std::string> new_session_id) {
  output_block block;
  block.result = std::move(result);
  block.new_session_id = std::move(new_session_id);
  return block;
}

output_block error_block(std::string message) {
  output_block block;
  block.success = false;
  block.error = std::move(message);
  return block;
}

std::string to_json_line(const output_block& block) {
  nlohmann::ordered_json obj{{"status", block.success ? "success" : "error"},
                             {"result", block.result ? json(*block.result) : json(nullptr)}};
  if (block.new_session_id)
    obj["newSessionId"] = *block.new_session_id;
  if (block.error)
    obj["error"] = *block.error;
  return dump(obj);
}

void emit(const output_block& block, const markers& marks) {
  emit_raw(to_json_line(block), marks);
}

void emit_raw(const std::string& line, const markers& marks) {
  auto text = marks.start + '\n' + line + '\n' + marks.end + '\n';
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

} // namespace pincer::agent
