// The decision for one container-to-host IPC file (declared in ipc_files.hpp):
// NanoClaw's authorization matrix, identity from the folder, never from the file.

#include "actors/ipc_files.hpp"

#include <algorithm>

#include "actors/namespace_state.hpp"

namespace fs = std::filesystem;

namespace pincer {

namespace {

ipc_decision rejected(std::string reason, std::string message, bool to_errors = false,
                      std::string field = {}) {
  ipc_decision d;
  d.reason = std::move(reason);
  d.message = std::move(message);
  d.to_errors = to_errors;
  d.field = std::move(field);
  return d;
}

/// A required non-empty string field: the value, or a rejection.
const std::string* required_text(const json& obj, const char* field, ipc_decision& fail) {
  auto i = obj.find(field);
  if (i == obj.end() || i->is_null() || (i->is_string() && i->get_ref<const std::string&>().empty())) {
    fail = rejected("missing_field", std::string{field} + " is required", false, field);
    return nullptr;
  }
  if (!i->is_string()) {
    fail = rejected("invalid_field", std::string{field} + " must be a string", false, field);
    return nullptr;
  }
  return &i->get_ref<const std::string&>();
}

bool owns_chat(const ipc_identity& who, const std::string& jid) {
  return std::find(who.chat_jids.begin(), who.chat_jids.end(), jid) != who.chat_jids.end();
}

ipc_decision decide_message(const json& obj, const ipc_identity& who) {
  ipc_decision fail;
  auto jid = required_text(obj, "chatJid", fail);
  if (!jid)
    return fail;
  auto text = required_text(obj, "text", fail);
  if (!text)
    return fail;
  if (!who.is_main && !owns_chat(who, *jid))
    return rejected("unauthorized", "group " + who.group + " may not send to chat " + *jid);
  ipc_decision d;
  d.action = ipc_action::send_message;
  d.chat_jid = *jid;
  d.text = *text;
  if (auto s = obj.find("sender"); s != obj.end() && s->is_string())
    d.sender = s->get<std::string>();
  return d;
}

ipc_decision decide_register(const json& obj, const ipc_identity& who) {
  if (!who.is_main)
    return rejected("unauthorized", "only the main group may register groups");
  ipc_decision fail;
  const std::string* fields[4];
  const char* names[] = {"jid", "name", "folder", "trigger"};
  for (int i = 0; i < 4; ++i)
    if (!(fields[i] = required_text(obj, names[i], fail)))
      return fail;
  auto& folder = *fields[2];
  auto key = namespace_key(folder);
  if (!valid_namespace_name(folder) || key == "global" || key == "merge-instructions"
      || key == ipc_errors_folder)
    return rejected("invalid_field", "folder must be a valid group name", false, "folder");
  json body{{"name", folder},
            {"description", *fields[1]},
            {"chatJids", json::array({*fields[0]})},
            {"trigger", *fields[3]}};
  if (auto r = obj.find("requiresTrigger"); r != obj.end() && !r->is_null()) {
    if (!r->is_boolean())
      return rejected("invalid_field", "requiresTrigger must be a boolean", false,
                      "requiresTrigger");
    body["requiresTrigger"] = *r;
  }
  if (auto c = obj.find("containerConfig"); c != obj.end() && !c->is_null()) {
    if (!c->is_object())
      return rejected("invalid_field", "containerConfig must be an object", false,
                      "containerConfig");
    body["containerConfig"] = *c;
  }
  ipc_decision d;
  d.action = ipc_action::register_group;
  d.body = std::move(body);
  return d;
}

ipc_decision decide_schedule(const std::string& type, const json& obj, const ipc_identity& who) {
  ipc_decision fail;
  if (type == "schedule_task") {
    for (auto field : {"prompt", "schedule_type", "schedule_value"})
      if (!required_text(obj, field, fail))
        return fail;
    auto target = required_text(obj, "targetJid", fail);
    if (!target)
      return fail;
    if (!who.is_main && !owns_chat(who, *target))
      return rejected("unauthorized",
                      "group " + who.group + " may not schedule tasks for chat " + *target);
  } else if (!required_text(obj, "taskId", fail)) {
    return fail;
  }
  ipc_decision d;
  d.action = ipc_action::schedule_op;
  d.body = obj;
  return d;
}

ipc_decision decide_task(const std::string& type, const json& obj, const ipc_identity& who) {
  if (type == "schedule_task" || type == "pause_task" || type == "resume_task"
      || type == "cancel_task" || type == "update_task")
    return decide_schedule(type, obj, who);
  if (type == "register_group")
    return decide_register(obj, who);
  if (type == "refresh_groups") {
    if (!who.is_main)
      return rejected("unauthorized", "only the main group may refresh groups");
    ipc_decision d;
    d.action = ipc_action::refresh_groups;
    return d;
  }
  return rejected("unknown_type", "unknown task type " + type);
}

} // namespace

const char* to_string(ipc_action action) {
  switch (action) {
    case ipc_action::send_message:
      return "send_message";
    case ipc_action::schedule_op:
      return "schedule_op";
    case ipc_action::register_group:
      return "register_group";
    case ipc_action::refresh_groups:
      return "refresh_groups";
    case ipc_action::reject:
      break;
  }
  return "reject";
}

json ipc_decision::to_json() const {
  json out{{"action", to_string(action)}, {"type", type}};
  if (action == ipc_action::send_message)
    out["chatJid"] = chat_jid;
  if (action == ipc_action::reject) {
    out["reason"] = reason;
    out["message"] = message;
    out["movedToErrors"] = to_errors;
    if (!field.empty())
      out["field"] = field;
  }
  return out;
}

ipc_decision decide_ipc_file(ipc_kind kind, const std::string& raw_text,
                             const ipc_identity& who) {
  if (raw_text.size() > max_ipc_file_bytes)
    return rejected("too_large", "the file is larger than 1 MiB", true);
  auto obj = json::parse(raw_text, nullptr, false);
  if (obj.is_discarded())
    return rejected("invalid_json", "the file is not valid JSON", true);
  if (!obj.is_object())
    return rejected("not_an_object", "the file is not a JSON object", true);
  ipc_decision fail;
  auto type = required_text(obj, "type", fail);
  if (!type)
    return fail;
  ipc_decision d;
  if (kind == ipc_kind::messages)
    d = *type == "message" ? decide_message(obj, who)
                           : rejected("unknown_type", "unknown message type " + *type);
  else
    d = decide_task(*type, obj, who);
  d.type = *type;
  return d;
}

ipc_decision decide_ipc_path(ipc_kind kind, const fs::path& file, const ipc_identity& who) {
  auto text = read_ipc_file(file);
  if (text)
    return decide_ipc_file(kind, *text, who);
  if (text.err().code == ec::payload_too_large)
    return rejected("too_large", "the file is larger than 1 MiB", true);
  return rejected("unreadable", text.err().message, true);
}

} // namespace pincer
