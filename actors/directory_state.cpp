#include "actors/directory_state.hpp"

#include "events/namespace_events.hpp"
#include "events/time.hpp"

namespace pincer {

void directory_state::apply(const envelope& e) {
  changed();
  if (e.stream == global_instructions_stream) {
    global.apply(e);
    return;
  }
  constexpr std::string_view prefix = "namespace/";
  if (e.stream.compare(0, prefix.size(), prefix) != 0)
    return;
  namespaces[e.stream.substr(prefix.size())].apply(e);
}

const namespace_state* directory_state::find(const std::string& name) const {
  auto i = namespaces.find(namespace_key(name));
  return i != namespaces.end() && i->second.exists ? &i->second : nullptr;
}

result<unit> directory_state::check(const std::string& key, const json& object,
                                    bool creating) const {
  auto i = namespaces.find(key);
  bool taken = (i != namespaces.end() && i->second.exists) || reserved_keys_.count(key) > 0;
  if (creating && taken)
    return error{ec::conflict, "namespace " + object.value("name", key) + " already exists",
                 "name"};
  if (object.value("isMain", false)) {
    for (auto& [other, ns] : namespaces)
      if (other != key && ns.exists && ns.object.value("isMain", false))
        return error{ec::conflict, "namespace " + ns.object.value("name", other)
                                     + " is already the main group", "isMain"};
    if (reserved_main_ && *reserved_main_ != key)
      return error{ec::conflict, "another namespace is becoming the main group", "isMain"};
  }
  for (auto& jid : object.value("chatJids", json::array())) {
    auto j = jid.get<std::string>();
    for (auto& [other, ns] : namespaces) {
      if (other == key || !ns.exists)
        continue;
      for (auto& taken : ns.object.value("chatJids", json::array()))
        if (taken == j)
          return error{ec::conflict, "chat " + j + " already belongs to namespace "
                                       + ns.object.value("name", other), "chatJids"};
    }
    auto r = reserved_jids_.find(j);
    if (r != reserved_jids_.end() && r->second != key)
      return error{ec::conflict, "chat " + j + " is being assigned to another namespace",
                   "chatJids"};
  }
  return unit{};
}

void directory_state::reserve(const std::string& key, const json& object, bool creating) {
  if (creating)
    reserved_keys_.insert(key);
  if (object.value("isMain", false))
    reserved_main_ = key;
  for (auto& jid : object.value("chatJids", json::array()))
    reserved_jids_[jid.get<std::string>()] = key;
}

void directory_state::release(const std::string& key, const json& object, bool creating) {
  if (auto i = reserved_keys_.find(key); creating && i != reserved_keys_.end())
    reserved_keys_.erase(i);
  if (reserved_main_ == key)
    reserved_main_.reset();
  for (auto& jid : object.value("chatJids", json::array())) {
    auto i = reserved_jids_.find(jid.get<std::string>());
    if (i != reserved_jids_.end() && i->second == key)
      reserved_jids_.erase(i);
  }
}

json directory_state::list() const {
  json out = json::array();
  for (auto& [key, ns] : namespaces)
    if (ns.exists)
      out.push_back(ns.view());
  return out;
}

std::shared_ptr<const std::string> directory_state::list_text() const {
  if (!list_text_)
    list_text_ = std::make_shared<const std::string>(list().dump());
  return list_text_;
}

result<json> directory_state::merge(const std::string& name) const {
  auto ns = find(name);
  if (!ns)
    return error{ec::not_found, "namespace " + name + " not found"};
  json sources = json::array();
  std::string content;
  auto add = [&](const char* scope, const namespace_state& s) {
    if (s.instructions.empty())
      return;
    if (!content.empty())
      content += "\n\n---\n\n";
    content += s.instructions;
    sources.push_back(json{{"scope", scope},
                           {"bytes", s.instructions.size()},
                           {"updatedAt", format_time(s.instructions_at)}});
  };
  add("global", global);
  add("group", *ns);
  return json{{"group", ns->object.value("name", name)},
              {"content", content},
              {"sources", sources}};
}

} // namespace pincer
