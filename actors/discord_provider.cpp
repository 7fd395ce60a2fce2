#include "actors/discord_provider.hpp"

#include <algorithm>

#include "actors/discord_gateway.hpp"

namespace pincer {

namespace {

std::string describe(const json& body, long status) {
  if (body.is_object() && body.value("message", json{}).is_string())
    return body["message"].get<std::string>() + " (HTTP " + std::to_string(status) + ")";
  return "HTTP " + std::to_string(status);
}

std::string base(const channel_settings& s) {
  return s.config.value("baseUrl", std::string{});
}

} // namespace

std::string discord_provider::name() const {
  return "discord";
}

result<channel_settings> discord_provider::parse_settings(const json& body, bool,
                                                          const std::string& fallback) const {
  auto token = credential_field(body, "botToken", 256);
  if (!token)
    return token.err();
  if (token->find_first_of(" /?#%") != std::string::npos)
    return invalid("botToken", "botToken must be a Discord bot token");
  auto url = validate_base_url(body, fallback);
  if (!url)
    return url.err();
  channel_settings s;
  s.config = json{{"baseUrl", *url}};
  s.secrets["botToken"] = *token;
  return s;
}

std::vector<std::string> discord_provider::secret_names() const {
  return {"botToken"};
}

http_call discord_provider::validate_call(const channel_settings& s) const {
  http_call c;
  c.url = base(s) + "/users/@me";
  c.headers = discord_headers(s.secrets.at("botToken"), false);
  return c;
}

result<channel_account> discord_provider::read_validate(const http_result& r) const {
  if (r.status == 0)
    return unreachable_error("Discord", r);
  auto body = json::parse(r.body, nullptr, false);
  if (r.status == 401 || r.status == 403)
    return invalid("botToken", "Discord rejected the bot token: " + describe(body, r.status));
  if (r.status != 200 || !body.is_object() || !body.value("id", json{}).is_string())
    return error{ec::upstream_error,
                 "Discord answered GET /users/@me with an error: " + describe(body, r.status)};
  channel_account a;
  a.id = body["id"].get<std::string>();
  a.name = body.value("username", a.id);
  return a;
}

http_call discord_provider::send_call(const channel_settings& s, const jid_route& to,
                                      const std::string& text) const {
  http_call c;
  c.method = "POST";
  c.url = base(s) + "/channels/" + to.chat_id + "/messages";
  c.headers = discord_headers(s.secrets.at("botToken"), true);
  c.body = json{{"content", text}, {"allowed_mentions", {{"parse", json::array()}}}}.dump();
  return c;
}

send_outcome discord_provider::read_send(const http_result& r) const {
  if (r.status == 0)
    return unreachable_send("Discord", r);
  send_outcome out;
  auto body = json::parse(r.body, nullptr, false);
  if (r.status >= 200 && r.status < 300) {
    out.kind = send_outcome::sent;
    if (body.is_object() && body.value("id", json{}).is_string())
      out.provider_id = body["id"].get<std::string>();
    return out;
  }
  out.message = "Discord refused the message: " + describe(body, r.status);
  if (r.status == 429) {
    out.kind = send_outcome::retry_after;
    double secs = 1.0;
    if (body.is_object() && body.value("retry_after", json{}).is_number())
      secs = body["retry_after"].get<double>();
    else if (auto h = retry_after_header_ms(r))
      secs = static_cast<double>(*h) / 1000.0;
    out.retry_after_ms = static_cast<int64_t>(std::clamp(secs, 0.0, 3600.0) * 1000.0 + 0.5);
    return out;
  }
  out.kind = r.status >= 500 ? send_outcome::transient : send_outcome::permanent;
  return out;
}

std::unique_ptr<socket_protocol>
discord_provider::socket_session(const channel_settings& s, const channel_account& account,
                                 const std::string& assistant_name) const {
  return std::make_unique<discord_gateway>(base(s), s.secrets.at("botToken"), account.id,
                                           assistant_name);
}

} // namespace pincer
