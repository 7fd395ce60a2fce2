#include "actors/group_ipc.hpp"

#include "events/catalog.hpp"
#include "events/queue_events.hpp"

namespace pincer {

ipc_identity ipc_identity_of(const std::string& group, const json& ns) {
  ipc_identity who;
  who.group = group;
  who.is_main = ns.value("isMain", false);
  if (auto i = ns.find("chatJids"); i != ns.end() && i->is_array())
    for (auto& jid : *i)
      if (jid.is_string())
        who.chat_jids.push_back(jid.get<std::string>());
  return who;
}

draft ipc_event(const std::string& group, const std::string& file, const ipc_decision& d) {
  if (d.action == ipc_action::send_message)
    return event_catalog().make(event_types::ipc_message_sent,
                                json{{"group", group},
                                     {"chatJid", d.chat_jid},
                                     {"text", d.text},
                                     {"sender", d.sender.empty() ? json(nullptr) : json(d.sender)},
                                     {"file", file}});
  auto data = d.to_json();
  data["group"] = group;
  data["file"] = file;
  return event_catalog().make(event_types::ipc_rejected, std::move(data));
}

draft ipc_task_event(const std::string& group, const std::string& file, const ipc_decision& d,
                     int status, const std::string& error_message) {
  auto data = d.to_json();
  data["group"] = group;
  data["file"] = file;
  data["outcome"] = error_message.empty() ? "ok" : "failed";
  data["status"] = status;
  data["error"] = error_message.empty() ? json(nullptr) : json(error_message);
  return event_catalog().make(event_types::ipc_task_handled, std::move(data));
}

} // namespace pincer
