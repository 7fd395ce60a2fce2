#include "actors/namespace_state.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "events/catalog.hpp"
#include "events/namespace_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr size_t max_description_bytes = 4096;
constexpr int64_t max_timeout_secs = 7 * 24 * 3600;

bool has_control_chars(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) {
    return c < 0x20 || c == 0x7f;
  });
}

/// Normalises a chat JID (`wa:<phone>` becomes `<phone>@s.whatsapp.net`).
std::optional<std::string> normalise_jid(const std::string& jid) {
  static const std::regex pattern{
    R"(^(tg:-?[0-9]{1,20}|slack:[A-Za-z0-9]{1,32}|dc:[0-9]{1,24}|wa:[0-9]{5,20})"
    R"(|[0-9]{5,20}@s\.whatsapp\.net|[0-9-]{5,40}@g\.us)$)"};
  if (!std::regex_match(jid, pattern))
    return std::nullopt;
  if (jid.rfind("wa:", 0) == 0)
    return jid.substr(3) + "@s.whatsapp.net";
  return jid;
}

result<json> validate_jids(const json& v) {
  if (!v.is_array())
    return invalid("chatJids", "chatJids must be an array of chat JIDs");
  json out = json::array();
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    auto field = "chatJids." + std::to_string(i);
    if (!v[i].is_string())
      return invalid(field, "a chat JID must be a string");
    auto jid = normalise_jid(v[i].get<std::string>());
    if (!jid)
      return invalid(field, "unknown chat JID form (expected tg:<id>, slack:<id>, "
                            "dc:<id>, wa:<phone> or <phone>@s.whatsapp.net)");
    if (!seen.insert(*jid).second)
      return invalid(field, "duplicate chat JID " + *jid);
    out.push_back(*jid);
  }
  return out;
}

result<json> validate_mounts(const json& v) {
  if (!v.is_array())
    return invalid("containerConfig.additionalMounts", "additionalMounts must be an array");
  json out = json::array();
  for (size_t i = 0; i < v.size(); ++i) {
    auto field = "containerConfig.additionalMounts." + std::to_string(i);
    auto& m = v[i];
    if (!m.is_object())
      return invalid(field, "a mount must be an object");
    if (!m.contains("hostPath") || !m["hostPath"].is_string()
        || m["hostPath"].get<std::string>().empty())
      return invalid(field + ".hostPath", "hostPath must be a non-empty string");
    auto host = m["hostPath"].get<std::string>();
    if (has_control_chars(host) || (host[0] != '/' && host[0] != '~'))
      return invalid(field + ".hostPath", "hostPath must be an absolute path or start with ~");
    json mount{{"hostPath", host}, {"containerPath", nullptr}, {"readOnly", true}};
    if (m.contains("containerPath") && !m["containerPath"].is_null()) {
      if (!m["containerPath"].is_string() || has_control_chars(m["containerPath"]))
        return invalid(field + ".containerPath", "containerPath must be a string");
      mount["containerPath"] = m["containerPath"];
    }
    if (m.contains("readOnly")) {
      if (!m["readOnly"].is_boolean())
        return invalid(field + ".readOnly", "readOnly must be a boolean");
      mount["readOnly"] = m["readOnly"];
    }
    out.push_back(std::move(mount));
  }
  return out;
}

result<json> validate_container_config(const json& v, json current) {
  if (!v.is_object())
    return invalid("containerConfig", "containerConfig must be an object");
  for (auto key : {"timeoutSecs", "idleTimeoutSecs"}) {
    if (!v.contains(key))
      continue;
    auto& x = v[key];
    auto field = std::string{"containerConfig."} + key;
    if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<int64_t>() > max_timeout_secs)
      return invalid(field, field + " must be an integer from 0 to 604800");
    current[key] = x;
  }
  if (v.contains("image")) {
    auto& x = v["image"];
    if (!x.is_null()) {
      static const std::regex tag{R"(^[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}$)"};
      if (!x.is_string() || !std::regex_match(x.get<std::string>(), tag))
        return invalid("containerConfig.image", "image must be a valid image tag");
    }
    current["image"] = x;
  }
  if (v.contains("additionalMounts")) {
    auto mounts = validate_mounts(v["additionalMounts"]);
    if (!mounts)
      return mounts.err();
    current["additionalMounts"] = std::move(*mounts);
  }
  return current;
}

result<std::string> text_field(const json& body, const char* key, size_t max, bool allow_empty) {
  auto& v = body[key];
  if (!v.is_string())
    return invalid(key, std::string{key} + " must be a string");
  auto s = v.get<std::string>();
  if ((!allow_empty && s.empty()) || s.size() > max)
    return invalid(key, std::string{key} + " must be 1 to " + std::to_string(max) + " characters");
  return s;
}

/// Validates the fields shared by POST and PUT into `out`.
result<unit> validate_common(const json& body, json& out) {
  if (body.contains("description")) {
    auto& v = body["description"];
    if (!v.is_string() || v.get<std::string>().size() > max_description_bytes)
      return invalid("description", "description must be a string of at most 4096 bytes");
    out["description"] = v;
  }
  for (auto key : {"isMain", "requiresTrigger"}) {
    if (!body.contains(key))
      continue;
    if (!body[key].is_boolean())
      return invalid(key, std::string{key} + " must be a boolean");
    out[key] = body[key];
  }
  if (body.contains("trigger")) {
    auto t = text_field(body, "trigger", 64, false);
    if (!t)
      return t.err();
    if (has_control_chars(*t) || t->find_first_not_of(' ') == std::string::npos)
      return invalid("trigger", "trigger must be printable text");
    out["trigger"] = *t;
  }
  if (body.contains("chatJids")) {
    auto jids = validate_jids(body["chatJids"]);
    if (!jids)
      return jids.err();
    out["chatJids"] = std::move(*jids);
  }
  return unit{};
}

json default_container_config() {
  return json{{"image", nullptr},
              {"timeoutSecs", 1800},
              {"idleTimeoutSecs", 1800},
              {"additionalMounts", json::array()}};
}

} // namespace

std::string namespace_key(const std::string& name) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return key;
}

bool valid_namespace_name(const std::string& name) {
  // ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$, without a regex on the hot path.
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || name.size() > 64 || !alnum(name[0]))
    return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return alnum(c) || c == '_' || c == '-'; });
}

result<json> validate_new_namespace(const json& body, const std::string& assistant_name) {
  if (!body.contains("name"))
    return invalid("name", "name is required");
  auto& name = body["name"];
  if (!name.is_string() || !valid_namespace_name(name.get<std::string>()))
    return invalid("name", "name must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");
  auto key = namespace_key(name.get<std::string>());
  if (key == "global" || key == "merge-instructions")
    return invalid("name", "name " + name.get<std::string>() + " is reserved");
  json out{{"name", name},
           {"description", ""},
           {"isMain", false},
           {"trigger", "@" + assistant_name},
           {"chatJids", json::array()},
           {"containerConfig", default_container_config()}};
  auto ok = validate_common(body, out);
  if (!ok)
    return ok.err();
  if (!out.contains("requiresTrigger"))
    out["requiresTrigger"] = !out["isMain"].get<bool>();
  if (body.contains("containerConfig")) {
    auto cfg = validate_container_config(body["containerConfig"], out["containerConfig"]);
    if (!cfg)
      return cfg.err();
    out["containerConfig"] = std::move(*cfg);
  }
  return out;
}

result<json> validate_namespace_changes(const json& body, const json& current) {
  json changes = json::object();
  if (body.contains("name") && body["name"] != current["name"])
    return invalid("name", "name cannot be changed");
  auto ok = validate_common(body, changes);
  if (!ok)
    return ok.err();
  if (body.contains("containerConfig")) {
    auto cfg = validate_container_config(body["containerConfig"], current["containerConfig"]);
    if (!cfg)
      return cfg.err();
    changes["containerConfig"] = std::move(*cfg);
  }
  return changes;
}

result<std::string> validate_instructions(const json& body) {
  if (!body.contains("content"))
    return invalid("content", "content is required");
  if (!body["content"].is_string())
    return invalid("content", "content must be a string");
  auto content = body["content"].get<std::string>();
  if (content.size() > max_instructions_bytes)
    return invalid("content", "content must be at most 262144 bytes");
  return content;
}

json merge_changes(json object, const json& changes) {
  for (auto& [key, value] : changes.items())
    object[key] = value;
  return object;
}

// -- namespace_state ----------------------------------------------------------

void namespace_state::apply(const envelope& e) {
  version = e.stream_version;
  if (e.type == event_types::namespace_created) {
    exists = true;
    object = e.data;
    created_at = updated_at = e.at;
    instructions.clear();
    instructions_at = e.at;
  } else if (e.type == event_types::namespace_updated) {
    object = merge_changes(std::move(object), e.data.value("changes", json::object()));
    updated_at = e.at;
  } else if (e.type == event_types::namespace_deleted) {
    exists = false;
  } else if (e.type == event_types::instructions_updated) {
    instructions = e.data.value("content", "");
    instructions_at = e.at;
  }
}

json namespace_state::view() const {
  json out{{"id", object.value("id", "")}};
  for (auto key : {"name", "description", "isMain", "trigger", "requiresTrigger",
                   "chatJids", "containerConfig"})
    out[key] = object.contains(key) ? object[key] : json(nullptr);
  out["createdAt"] = format_time(created_at);
  out["updatedAt"] = format_time(updated_at);
  return out;
}

json namespace_state::instructions_view(const std::string& name) const {
  return json{{"name", name},
              {"content", instructions},
              {"updatedAt", instructions_at ? json(format_time(instructions_at)) : json(nullptr)}};
}

result<std::vector<draft>>
namespace_state::decide_create(json obj, const std::optional<std::string>& existing) const {
  if (exists)
    return error{ec::conflict, "namespace " + obj.value("name", "") + " already exists"};
  obj["id"] = make_uuid();
  auto& cat = event_catalog();
  std::vector<draft> out{cat.make(event_types::namespace_created, std::move(obj))};
  if (existing && !existing->empty())
    out.push_back(cat.make(event_types::instructions_updated,
                           json{{"content", *existing}, {"adopted", true}}));
  return out;
}

result<std::vector<draft>> namespace_state::decide_update(const json& changes) const {
  if (!exists)
    return error{ec::not_found, "namespace not found"};
  json effective = json::object();
  for (auto& [key, value] : changes.items())
    if (!object.contains(key) || object[key] != value)
      effective[key] = value;
  if (effective.empty())
    return std::vector<draft>{};
  return std::vector<draft>{
    event_catalog().make(event_types::namespace_updated, json{{"changes", effective}})};
}

result<std::vector<draft>> namespace_state::decide_delete(bool force) const {
  if (!exists)
    return error{ec::not_found, "namespace not found"};
  return std::vector<draft>{event_catalog().make(
    event_types::namespace_deleted, json{{"name", object.value("name", "")}, {"force", force}})};
}

result<std::vector<draft>>
namespace_state::decide_instructions(const std::string& content, bool must_exist) const {
  if (must_exist && !exists)
    return error{ec::not_found, "namespace not found"};
  return std::vector<draft>{
    event_catalog().make(event_types::instructions_updated, json{{"content", content}})};
}

} // namespace pincer
