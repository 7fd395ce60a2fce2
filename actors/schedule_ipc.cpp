#include "actors/schedule_ipc.hpp"

#include <cctype>

namespace pincer {

namespace {

std::string text(const json& file, const char* key) {
  if (file.contains(key) && file[key].is_string())
    return file[key].get<std::string>();
  return {};
}

} // namespace

bool valid_task_id(const std::string& id) {
  if (id.empty() || id.size() > 64 || !std::isalnum(static_cast<unsigned char>(id[0])))
    return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return false;
  return true;
}

result<ipc_task_request> parse_ipc_task(const json& file) {
  if (!file.is_object())
    return invalid("type", "a task file must be a JSON object");
  ipc_task_request req;
  req.type = text(file, "type");
  req.task_id = text(file, "taskId");
  if (req.type == "schedule_task") {
    if (!req.task_id.empty() && !valid_task_id(req.task_id))
      return invalid("taskId", "taskId must be 1 to 64 letters, digits, '_' or '-'");
    req.target_jid = text(file, "targetJid");
    req.group = text(file, "group");
    json body = json::object();
    for (auto key : {"prompt", "name"})
      if (file.contains(key))
        body[key] = file[key];
    json schedule = json::object();
    if (file.contains("schedule_type"))
      schedule["type"] = file["schedule_type"];
    if (file.contains("schedule_value"))
      schedule["value"] = file["schedule_value"];
    body["schedule"] = schedule;
    body["contextMode"] = text(file, "context_mode") == "group" ? "group" : "isolated";
    if (!req.target_jid.empty())
      body["chatJid"] = req.target_jid;
    req.body = std::move(body);
    return req;
  }
  if (req.type != "pause_task" && req.type != "resume_task" && req.type != "cancel_task"
      && req.type != "update_task")
    return invalid("type", "unknown task operation '" + req.type + "'");
  if (req.task_id.empty())
    return invalid("taskId", "taskId is required");
  if (req.type == "update_task") {
    json body = json::object();
    for (auto key : {"prompt", "schedule_type", "schedule_value"})
      if (file.contains(key))
        body[key] = file[key];
    req.body = std::move(body);
  }
  return req;
}

json ipc_update_body(const ipc_task_request& req, const schedule_data& current) {
  json out = json::object();
  if (req.body.contains("prompt"))
    out["prompt"] = req.body["prompt"];
  bool type = req.body.contains("schedule_type");
  bool value = req.body.contains("schedule_value");
  if (type || value)
    out["schedule"] = json{{"type", type ? req.body["schedule_type"] : json(current.type)},
                           {"value", value ? req.body["schedule_value"] : current.value}};
  return out;
}

} // namespace pincer
