#include "actors/whatsapp_provider.hpp"

#include <algorithm>

namespace pincer {

namespace {

/// The Graph error envelope: `{"error": {"message", "type", "code", ...}}`.
struct graph_error {
  int64_t code = 0;
  std::string message;
};

std::optional<graph_error> graph_error_of(const json& body) {
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object())
    return std::nullopt;
  auto& e = body["error"];
  graph_error out;
  out.code = e.value("code", json{}).is_number_integer() ? e["code"].get<int64_t>() : 0;
  out.message = e.value("message", std::string{"unknown error"});
  return out;
}

std::string describe(const json& body, long status) {
  if (auto e = graph_error_of(body))
    return e->message + " (code " + std::to_string(e->code) + ")";
  return "HTTP " + std::to_string(status);
}

bool rate_limited(int64_t code) {
  return code == 130429 || code == 131056 || code == 4 || code == 17 || code == 341
         || code == 80007;
}

} // namespace

std::string whatsapp_provider::name() const {
  return "whatsapp";
}

result<channel_settings> whatsapp_provider::parse_settings(const json& body, bool connect,
                                                           const std::string& fallback) const {
  auto token = credential_field(body, "accessToken", 1024);
  if (!token)
    return token.err();
  auto phone = credential_field(body, "phoneNumberId", 64);
  if (!phone)
    return phone.err();
  if (phone->find_first_not_of("0123456789") != std::string::npos)
    return invalid("phoneNumberId", "phoneNumberId must be the digits of a phone number id");
  auto base = validate_base_url(body, fallback);
  if (!base)
    return base.err();
  channel_settings s;
  s.config = json{{"baseUrl", *base}, {"phoneNumberId", *phone}};
  s.secrets["accessToken"] = *token;
  if (connect) {
    auto verify = credential_field(body, "verifyToken", 256);
    if (!verify)
      return verify.err();
    auto secret = credential_field(body, "appSecret", 256);
    if (!secret)
      return secret.err();
    s.secrets["verifyToken"] = *verify;
    s.secrets["appSecret"] = *secret;
  }
  return s;
}

std::vector<std::string> whatsapp_provider::secret_names() const {
  return {"accessToken", "verifyToken", "appSecret"};
}

http_call whatsapp_provider::validate_call(const channel_settings& s) const {
  http_call c;
  c.url = s.config.value("baseUrl", std::string{}) + "/"
          + s.config.value("phoneNumberId", std::string{});
  c.headers = {"Authorization: Bearer " + s.secrets.at("accessToken")};
  return c;
}

result<channel_account> whatsapp_provider::read_validate(const http_result& r) const {
  if (r.status == 0)
    return unreachable_error("WhatsApp", r);
  auto body = json::parse(r.body, nullptr, false);
  auto err = graph_error_of(body);
  if (r.status == 401 || r.status == 403 || (err && err->code == 190))
    return invalid("accessToken", "WhatsApp rejected the access token: " + describe(body, r.status));
  if (r.status == 400 || r.status == 404)
    return invalid("phoneNumberId",
                   "WhatsApp does not know the phone number id: " + describe(body, r.status));
  if (r.status != 200 || !body.is_object() || !body.contains("id"))
    return error{ec::upstream_error, "WhatsApp answered with an error: " + describe(body, r.status)};
  channel_account a;
  a.id = body["id"].is_string() ? body["id"].get<std::string>() : body["id"].dump();
  a.name = body.value("verified_name", body.value("display_phone_number", a.id));
  return a;
}

http_call whatsapp_provider::send_call(const channel_settings& s, const jid_route& to,
                                       const std::string& text) const {
  http_call c;
  c.method = "POST";
  c.url = s.config.value("baseUrl", std::string{}) + "/"
          + s.config.value("phoneNumberId", std::string{}) + "/messages";
  c.headers = {"Authorization: Bearer " + s.secrets.at("accessToken"),
               "Content-Type: application/json"};
  bool group = to.jid.size() > 5 && to.jid.compare(to.jid.size() - 5, 5, "@g.us") == 0;
  c.body = json{{"messaging_product", "whatsapp"},
                {"recipient_type", group ? "group" : "individual"},
                {"to", to.chat_id},
                {"type", "text"},
                {"text", {{"preview_url", false}, {"body", text}}}}
             .dump();
  return c;
}

send_outcome whatsapp_provider::read_send(const http_result& r) const {
  if (r.status == 0)
    return unreachable_send("WhatsApp", r);
  send_outcome out;
  auto body = json::parse(r.body, nullptr, false);
  if (r.status >= 200 && r.status < 300 && body.is_object()) {
    out.kind = send_outcome::sent;
    if (body.contains("messages") && body["messages"].is_array() && !body["messages"].empty()
        && body["messages"][0].is_object())
      out.provider_id = body["messages"][0].value("id", std::string{});
    return out;
  }
  out.message = "WhatsApp refused the message: " + describe(body, r.status);
  auto err = graph_error_of(body);
  if (r.status == 429 || (err && rate_limited(err->code))) {
    out.kind = send_outcome::retry_after;
    out.retry_after_ms = retry_after_header_ms(r).value_or(5000);
    return out;
  }
  out.kind = r.status >= 500 ? send_outcome::transient : send_outcome::permanent;
  return out;
}

std::vector<inbound_message> whatsapp_provider::read_webhook(const json& body) const {
  std::vector<inbound_message> out;
  if (!body.is_object() || !body.contains("entry") || !body["entry"].is_array())
    return out;
  for (auto& entry : body["entry"]) {
    if (!entry.is_object() || !entry.contains("changes") || !entry["changes"].is_array())
      continue;
    for (auto& change : entry["changes"]) {
      if (!change.is_object() || !change.contains("value") || !change["value"].is_object())
        continue;
      auto& value = change["value"];
      std::map<std::string, std::string> names;
      if (value.contains("contacts") && value["contacts"].is_array())
        for (auto& c : value["contacts"])
          if (c.is_object() && c.value("wa_id", json{}).is_string())
            names[c["wa_id"].get<std::string>()] =
              text_of(c.value("profile", json::object()), "name");
      if (!value.contains("messages") || !value["messages"].is_array())
        continue;
      for (auto& msg : value["messages"]) {
        if (!msg.is_object() || text_of(msg, "type") != "text" || !msg.contains("text")
            || !msg["text"].is_object())
          continue;
        inbound_message m;
        m.channel = "whatsapp";
        m.id = text_of(msg, "id");
        m.sender = text_of(msg, "from");
        m.text = text_of(msg["text"], "body");
        if (m.id.empty() || m.sender.empty() || m.text.empty()
            || m.sender.find_first_not_of("0123456789") != std::string::npos)
          continue;
        auto group = text_of(msg, "group_id");
        m.is_group = !group.empty();
        m.chat_jid = m.is_group ? group + "@g.us" : m.sender + "@s.whatsapp.net";
        m.sender_name = names.count(m.sender) && !names[m.sender].empty() ? names[m.sender]
                                                                          : m.sender;
        m.chat_name = m.is_group ? group : m.sender_name;
        try {
          m.at = std::stoll(text_of(msg, "timestamp")) * 1000;
        } catch (const std::exception&) {
          m.at = 0;
        }
        if (!route_jid(m.chat_jid))
          continue;
        out.push_back(std::move(m));
      }
    }
  }
  return out;
}

} // namespace pincer
