#include "actors/telegram_provider.hpp"

#include <algorithm>

#include "actors/provider_http.hpp"

namespace pincer {

namespace {

std::string describe(const json& body, long status) {
  if (body.is_object() && body.contains("description") && body["description"].is_string())
    return body["description"].get<std::string>();
  return "HTTP " + std::to_string(status);
}

json parse_body(const http_result& r) {
  return json::parse(r.body, nullptr, false);
}

std::string id_text(const json& v) {
  if (v.is_number_integer())
    return std::to_string(v.get<int64_t>());
  if (v.is_string())
    return v.get<std::string>();
  return {};
}

std::string display_name(const json& who) {
  if (!who.is_object())
    return {};
  auto first = who.value("first_name", std::string{});
  auto last = who.value("last_name", std::string{});
  auto name = last.empty() ? first : first + " " + last;
  if (name.empty())
    name = who.value("username", std::string{});
  return name;
}

} // namespace

std::string telegram_provider::name() const {
  return "telegram";
}

result<channel_settings> telegram_provider::parse_settings(const json& body, bool,
                                                           const std::string& fallback) const {
  auto token = credential_field(body, "botToken", 256);
  if (!token)
    return token.err();
  auto colon = token->find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == token->size()
      || token->find_first_of("/?#% ") != std::string::npos)
    return invalid("botToken", "botToken must look like <bot id>:<secret>");
  auto base = validate_base_url(body, fallback);
  if (!base)
    return base.err();
  channel_settings s;
  s.config = json{{"baseUrl", *base}};
  s.secrets["botToken"] = *token;
  return s;
}

std::vector<std::string> telegram_provider::secret_names() const {
  return {"botToken"};
}

std::string telegram_provider::method_url(const channel_settings& s,
                                          const std::string& method) const {
  return s.config.value("baseUrl", std::string{}) + "/bot" + s.secrets.at("botToken") + "/"
         + method;
}

http_call telegram_provider::validate_call(const channel_settings& s) const {
  http_call c;
  c.url = method_url(s, "getMe");
  return c;
}

result<channel_account> telegram_provider::read_validate(const http_result& r) const {
  if (r.status == 0)
    return unreachable_error("Telegram", r);
  auto body = parse_body(r);
  if (r.status == 401 || r.status == 404)
    return invalid("botToken", "Telegram rejected the bot token: " + describe(body, r.status));
  if (r.status != 200 || !is_true(body, "ok")
      || !body.contains("result") || !body["result"].is_object())
    return error{ec::upstream_error,
                 "Telegram answered getMe with an error: " + describe(body, r.status)};
  auto& me = body["result"];
  channel_account a;
  a.id = id_text(me.value("id", json{}));
  a.name = me.value("username", display_name(me));
  return a;
}

http_call telegram_provider::send_call(const channel_settings& s, const jid_route& to,
                                       const std::string& text) const {
  http_call c;
  c.method = "POST";
  c.url = method_url(s, "sendMessage");
  c.headers = {"Content-Type: application/json"};
  json chat_id = to.chat_id;
  try {
    chat_id = std::stoll(to.chat_id);
  } catch (const std::exception&) {
  }
  c.body = json{{"chat_id", chat_id}, {"text", text}}.dump();
  return c;
}

send_outcome telegram_provider::read_send(const http_result& r) const {
  if (r.status == 0)
    return unreachable_send("Telegram", r);
  send_outcome out;
  auto body = parse_body(r);
  if (r.status == 200 && is_true(body, "ok")) {
    out.kind = send_outcome::sent;
    if (body.contains("result") && body["result"].is_object())
      out.provider_id = id_text(body["result"].value("message_id", json{}));
    return out;
  }
  out.message = "Telegram refused the message: " + describe(body, r.status);
  if (r.status == 429) {
    out.kind = send_outcome::retry_after;
    int64_t secs = 1;
    if (body.is_object() && body.contains("parameters") && body["parameters"].is_object()
        && body["parameters"].value("retry_after", json{}).is_number())
      secs = body["parameters"]["retry_after"].get<int64_t>();
    else if (auto h = retry_after_header_ms(r))
      secs = *h / 1000;
    out.retry_after_ms = std::clamp<int64_t>(secs, 0, 3600) * 1000;
    return out;
  }
  out.kind = r.status >= 500 ? send_outcome::transient : send_outcome::permanent;
  return out;
}

http_call telegram_provider::poll_call(const channel_settings& s, int64_t offset) const {
  http_call c;
  auto timeout = s.config.value("pollTimeoutSecs", 25);
  c.url = method_url(s, "getUpdates") + "?timeout=" + std::to_string(timeout)
          + "&allowed_updates=" + url_encode(R"(["message","channel_post"])")
          + (offset > 0 ? "&offset=" + std::to_string(offset) : std::string{});
  c.timeout_ms = (timeout + 15) * 1000L;
  return c;
}

namespace {

/// Adds the message of one `getUpdates` update, if it carries one with text.
void add_update(const json& u, poll_batch& out) {
  const json* msg = nullptr;
  for (auto key : {"message", "channel_post"})
    if (u.contains(key) && u[key].is_object())
      msg = &u[key];
  if (!msg || !msg->contains("chat") || !(*msg)["chat"].is_object())
    return;
  auto& chat = (*msg)["chat"];
  auto text = msg->value("text", msg->value("caption", std::string{}));
  if (text.empty())
    return;
  inbound_message m;
  m.channel = "telegram";
  m.id = id_text(msg->value("message_id", json{}));
  m.chat_jid = "tg:" + id_text(chat.value("id", json{}));
  auto type = chat.value("type", std::string{"private"});
  m.is_group = type == "group" || type == "supergroup";
  m.chat_name = type == "private" ? display_name(chat) : chat.value("title", display_name(chat));
  auto from = msg->value("from", json::object());
  m.sender = id_text(from.value("id", chat.value("id", json{})));
  m.sender_name = display_name(from);
  if (m.sender_name.empty())
    m.sender_name = m.chat_name;
  m.is_bot = is_true(from, "is_bot");
  m.text = std::move(text);
  m.at = msg->value("date", int64_t{0}) * 1000;
  if (m.id.empty() || m.chat_jid == "tg:")
    return;
  out.chat_types[m.chat_jid + "/" + m.id] = type;
  out.messages.push_back(std::move(m));
}

} // namespace

result<poll_batch> telegram_provider::read_poll(const http_result& r) const {
  if (r.status == 0)
    return unreachable_error("Telegram", r);
  auto body = parse_body(r);
  if (r.status == 401 || r.status == 404)
    return invalid("botToken", "Telegram rejected the bot token: " + describe(body, r.status));
  if (r.status != 200 || !is_true(body, "ok")
      || !body.contains("result") || !body["result"].is_array())
    return error{ec::upstream_error,
                 "Telegram answered getUpdates with an error: " + describe(body, r.status)};
  poll_batch out;
  for (auto& u : body["result"]) {
    if (!u.is_object() || !u.value("update_id", json{}).is_number_integer())
      continue;
    out.next_offset = std::max(out.next_offset, u["update_id"].get<int64_t>() + 1);
    try {
      add_update(u, out);
    } catch (const std::exception&) {
      // A malformed update is skipped; the offset still moves past it.
    }
  }
  return out;
}

std::optional<std::string>
telegram_provider::command_reply(const inbound_message& m, const std::string& chat_type,
                                 const std::string& assistant_name) const {
  auto word = m.text.substr(0, m.text.find_first_of(" \n"));
  word = word.substr(0, word.find('@')); // `/chatid@my_bot`
  if (word == "/chatid")
    return "Chat ID: " + m.chat_jid + "\nName: " + m.chat_name + "\nType: " + chat_type;
  if (word == "/ping")
    return assistant_name + " is online.";
  return std::nullopt;
}

} // namespace pincer
