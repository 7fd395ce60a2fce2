#include "actors/channel_rules.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace pincer {

namespace {

bool all_of(std::string_view s, const char* allowed_extra, bool digits_only) {
  if (s.empty())
    return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    auto u = static_cast<unsigned char>(c);
    if (std::isdigit(u))
      return true;
    if (!digits_only && std::isalpha(u))
      return true;
    return std::string_view{allowed_extra}.find(c) != std::string_view::npos;
  });
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Byte offset of the code point with index `n` (or the size).
size_t byte_offset(std::string_view text, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
      continue;
    if (count == n)
      return i;
    ++count;
  }
  return text.size();
}

bool word_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c >= 0x80;
}

} // namespace

std::optional<jid_route> route_jid(const std::string& jid) {
  std::string_view v = jid;
  if (starts_with(v, "tg:")) {
    auto id = v.substr(3);
    auto digits = id.substr(!id.empty() && id[0] == '-' ? 1 : 0);
    if (digits.size() > 20 || !all_of(digits, "", true))
      return std::nullopt;
    return jid_route{"telegram", jid, std::string{id}};
  }
  if (starts_with(v, "slack:")) {
    auto id = v.substr(6);
    if (id.size() > 32 || !all_of(id, "", false))
      return std::nullopt;
    return jid_route{"slack", jid, std::string{id}};
  }
  if (starts_with(v, "dc:")) {
    auto id = v.substr(3);
    if (id.size() > 24 || !all_of(id, "", true))
      return std::nullopt;
    return jid_route{"discord", jid, std::string{id}};
  }
  if (starts_with(v, "wa:")) {
    auto phone = v.substr(3);
    if (phone.size() < 5 || phone.size() > 20 || !all_of(phone, "", true))
      return std::nullopt;
    return jid_route{"whatsapp", std::string{phone} + "@s.whatsapp.net", std::string{phone}};
  }
  for (auto suffix : {std::string_view{"@s.whatsapp.net"}, std::string_view{"@g.us"}}) {
    if (!ends_with(v, suffix))
      continue;
    auto id = v.substr(0, v.size() - suffix.size());
    bool group = suffix == "@g.us";
    if (id.size() < 5 || id.size() > (group ? 40u : 20u) || !all_of(id, group ? "-" : "", true))
      return std::nullopt;
    return jid_route{"whatsapp", jid, std::string{id}};
  }
  return std::nullopt;
}

size_t text_limit(const std::string& channel) {
  if (channel == "slack")
    return 4000;
  if (channel == "discord")
    return 2000;
  return 4096;
}

size_t code_points(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::vector<std::string> split_text(const std::string& text, size_t limit) {
  std::vector<std::string> parts;
  std::string_view rest = text;
  if (limit == 0)
    return {text};
  while (code_points(rest) > limit) {
    auto window = byte_offset(rest, limit); // bytes of the first `limit` code points
    auto floor = byte_offset(rest, limit - limit / 10);
    std::string_view head = rest.substr(0, window);
    size_t cut = std::string_view::npos;
    size_t skip = 0;
    // The boundary may also sit right after the window (a break at `limit`).
    if (window < rest.size() && (rest[window] == '\n' || rest[window] == ' ')) {
      cut = window;
      skip = 1;
    } else if (auto nl = head.rfind('\n'); nl != std::string_view::npos && nl >= floor) {
      cut = nl;
      skip = 1;
    } else if (auto sp = head.rfind(' '); sp != std::string_view::npos && sp >= floor) {
      cut = sp;
      skip = 1;
    } else {
      cut = window;
    }
    parts.emplace_back(rest.substr(0, cut));
    rest.remove_prefix(cut + skip);
  }
  if (!rest.empty() || parts.empty())
    parts.emplace_back(rest);
  return parts;
}

// -- sender allowlist ---------------------------------------------------------

bool allowlist_entry::allows(const std::string& sender) const {
  return everyone || std::find(senders.begin(), senders.end(), sender) != senders.end();
}

const allowlist_entry& sender_allowlist::entry_for(const std::string& jid) const {
  auto i = chats.find(jid);
  return i == chats.end() ? fallback : i->second;
}

namespace {

result<allowlist_entry> validate_entry(const json& v, const std::string& field) {
  if (!v.is_object())
    return invalid(field, field + " must be an object with allow and mode");
  allowlist_entry out;
  if (!v.contains("allow"))
    return invalid(field + ".allow", "allow is required");
  auto& allow = v["allow"];
  if (allow.is_string() && allow.get<std::string>() == "*") {
    out.everyone = true;
  } else if (allow.is_array()) {
    out.everyone = false;
    std::set<std::string> seen;
    for (size_t i = 0; i < allow.size(); ++i) {
      auto f = field + ".allow." + std::to_string(i);
      if (!allow[i].is_string() || allow[i].get<std::string>().empty()
          || allow[i].get<std::string>().size() > 128)
        return invalid(f, "a sender id must be a non-empty string of at most 128 bytes");
      if (seen.insert(allow[i].get<std::string>()).second)
        out.senders.push_back(allow[i].get<std::string>());
    }
    if (out.senders.size() > 1000)
      return invalid(field + ".allow", "at most 1000 sender ids per entry");
  } else {
    return invalid(field + ".allow", "allow must be \"*\" or an array of sender ids");
  }
  if (!v.contains("mode"))
    return invalid(field + ".mode", "mode is required");
  auto& mode = v["mode"];
  if (!mode.is_string() || (mode != "trigger" && mode != "drop"))
    return invalid(field + ".mode", "mode must be trigger or drop");
  out.drop = mode == "drop";
  return out;
}

json entry_json(const allowlist_entry& e) {
  return json{{"allow", e.everyone ? json("*") : json(e.senders)},
              {"mode", e.drop ? "drop" : "trigger"}};
}

} // namespace

result<sender_allowlist> validate_sender_allowlist(const json& body) {
  sender_allowlist out;
  if (!body.is_object())
    return invalid("default", "the body must be an object");
  if (body.contains("default")) {
    auto e = validate_entry(body["default"], "default");
    if (!e)
      return e.err();
    out.fallback = std::move(*e);
  }
  if (body.contains("chats")) {
    auto& chats = body["chats"];
    if (!chats.is_object())
      return invalid("chats", "chats must be an object keyed by chat JID");
    if (chats.size() > 10000)
      return invalid("chats", "at most 10000 chats");
    for (auto& [jid, v] : chats.items()) {
      auto route = route_jid(jid);
      if (!route)
        return invalid("chats." + jid, "unknown chat JID form " + jid);
      auto e = validate_entry(v, "chats." + jid);
      if (!e)
        return e.err();
      out.chats[route->jid] = std::move(*e);
    }
  }
  if (body.contains("logDenied")) {
    if (!body["logDenied"].is_boolean())
      return invalid("logDenied", "logDenied must be a boolean");
    out.log_denied = body["logDenied"].get<bool>();
  }
  return out;
}

json to_json(const sender_allowlist& list) {
  json chats = json::object();
  for (auto& [jid, e] : list.chats)
    chats[jid] = entry_json(e);
  return json{{"default", entry_json(list.fallback)},
              {"chats", std::move(chats)},
              {"logDenied", list.log_denied}};
}

// -- routing ------------------------------------------------------------------

bool matches_trigger(const std::string& text, const std::string& trigger) {
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
    t.remove_prefix(1);
  if (trigger.empty() || t.size() < trigger.size())
    return false;
  for (size_t i = 0; i < trigger.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(t[i]))
        != std::tolower(static_cast<unsigned char>(trigger[i])))
      return false;
  if (t.size() == trigger.size())
    return true;
  // A trigger ending in a non-word character (e.g. `@Andy:`) needs no boundary.
  if (!word_char(static_cast<unsigned char>(trigger.back())))
    return true;
  return !word_char(static_cast<unsigned char>(t[trigger.size()]));
}

inbound_route route_inbound(const inbound_message& m, const sender_allowlist& list,
                            const json& namespaces) {
  inbound_route out;
  const json* ns = nullptr;
  if (namespaces.is_array())
    for (auto& n : namespaces) {
      auto jids = n.find("chatJids");
      if (jids == n.end() || !jids->is_array())
        continue;
      if (std::find(jids->begin(), jids->end(), json(m.chat_jid)) != jids->end()) {
        ns = &n;
        break;
      }
    }
  if (!ns) {
    out.reason = "no namespace maps the chat";
    return out;
  }
  out.mapped = true;
  auto& entry = list.entry_for(m.chat_jid);
  bool allowed = m.from_me || entry.allows(m.sender);
  if (entry.drop && !allowed && !m.is_bot) {
    out.reason = "the sender is not allowed (drop mode)";
    return out;
  }
  out.store = true;
  if (m.from_me || m.is_bot) {
    out.reason = "own or bot message";
    return out;
  }
  if (m.text.empty()) {
    out.reason = "no text";
    return out;
  }
  bool needs_trigger = ns->value("requiresTrigger", !ns->value("isMain", false));
  if (needs_trigger) {
    if (!matches_trigger(m.text, ns->value("trigger", std::string{}))) {
      out.reason = "no trigger";
      return out;
    }
    if (!allowed) {
      out.reason = "the sender may not trigger the agent";
      return out;
    }
  }
  out.group = ns->value("name", std::string{});
  return out;
}

// -- signatures ---------------------------------------------------------------

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(hex[mac[i] >> 4]);
    out.push_back(hex[mac[i] & 0xF]);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool valid_hub_signature(std::string_view header, std::string_view body,
                         std::string_view app_secret) {
  constexpr std::string_view prefix = "sha256=";
  if (app_secret.empty() || !starts_with(header, prefix))
    return false;
  auto presented = std::string{header.substr(prefix.size())};
  std::transform(presented.begin(), presented.end(), presented.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return constant_time_equal(presented, hmac_sha256_hex(app_secret, body));
}

} // namespace pincer
