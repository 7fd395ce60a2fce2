#include "actors/slack_provider.hpp"

#include "actors/slack_socket.hpp"

namespace pincer {

namespace {

std::string base(const channel_settings& s) {
  return s.config.value("baseUrl", std::string{});
}

std::string slack_error(const json& body, long status) {
  if (body.is_object() && body.value("error", json{}).is_string())
    return body["error"].get<std::string>();
  return "HTTP " + std::to_string(status);
}

bool auth_error(const std::string& e) {
  return e == "invalid_auth" || e == "not_authed" || e == "account_inactive"
         || e == "token_revoked" || e == "token_expired" || e == "not_allowed_token_type";
}

} // namespace

std::string slack_provider::name() const {
  return "slack";
}

result<channel_settings> slack_provider::parse_settings(const json& body, bool connect,
                                                        const std::string& fallback) const {
  auto token = credential_field(body, "botToken", 256);
  if (!token)
    return token.err();
  if (token->rfind("xox", 0) != 0)
    return invalid("botToken", "botToken must be a Slack bot token (xoxb-...)");
  auto url = validate_base_url(body, fallback);
  if (!url)
    return url.err();
  channel_settings s;
  s.config = json{{"baseUrl", *url}};
  s.secrets["botToken"] = *token;
  if (!connect)
    return s;
  bool app = body.contains("appToken");
  bool signing = body.contains("signingSecret");
  if (app == signing)
    return invalid(app ? "signingSecret" : "appToken",
                   "connect needs either appToken (Socket Mode) or signingSecret (Events API)");
  if (app) {
    auto app_token = credential_field(body, "appToken", 256);
    if (!app_token)
      return app_token.err();
    if (app_token->rfind("xapp-", 0) != 0)
      return invalid("appToken", "appToken must be an app-level token (xapp-...)");
    s.secrets["appToken"] = *app_token;
    s.config["mode"] = "socket";
  } else {
    auto secret = credential_field(body, "signingSecret", 256);
    if (!secret)
      return secret.err();
    s.secrets["signingSecret"] = *secret;
    s.config["mode"] = "events";
  }
  return s;
}

std::vector<std::string> slack_provider::secret_names() const {
  return {"botToken", "appToken", "signingSecret"};
}

http_call slack_provider::validate_call(const channel_settings& s) const {
  http_call c;
  c.method = "POST";
  c.url = base(s) + "/auth.test";
  c.headers = slack_headers(s.secrets.at("botToken"), false);
  return c;
}

result<channel_account> slack_provider::read_validate(const http_result& r) const {
  if (r.status == 0)
    return unreachable_error("Slack", r);
  auto body = json::parse(r.body, nullptr, false);
  auto problem = slack_error(body, r.status);
  if (r.status == 401 || auth_error(problem))
    return invalid("botToken", "Slack rejected the bot token: " + problem);
  if (r.status != 200 || !is_true(body, "ok"))
    return error{ec::upstream_error, "Slack answered auth.test with an error: " + problem};
  channel_account a;
  a.id = body.value("user_id", std::string{});
  a.name = body.value("user", a.id);
  return a;
}

http_call slack_provider::send_call(const channel_settings& s, const jid_route& to,
                                    const std::string& text) const {
  http_call c;
  c.method = "POST";
  c.url = base(s) + "/chat.postMessage";
  c.headers = slack_headers(s.secrets.at("botToken"), true);
  json body{{"channel", to.chat_id}, {"text", text}};
  auto thread = threads_->of(to.jid);
  if (!thread.empty())
    body["thread_ts"] = thread;
  c.body = body.dump();
  return c;
}

send_outcome slack_provider::read_send(const http_result& r) const {
  if (r.status == 0)
    return unreachable_send("Slack", r);
  send_outcome out;
  auto body = json::parse(r.body, nullptr, false);
  if (r.status == 200 && is_true(body, "ok")) {
    out.kind = send_outcome::sent;
    out.provider_id = body.value("ts", std::string{});
    return out;
  }
  auto problem = slack_error(body, r.status);
  out.message = "Slack refused the message: " + problem;
  if (r.status == 429 || problem == "ratelimited") {
    out.kind = send_outcome::retry_after;
    out.retry_after_ms = retry_after_header_ms(r).value_or(1000);
    return out;
  }
  out.kind = r.status >= 500 || problem == "internal_error" || problem == "fatal_error"
               ? send_outcome::transient
               : send_outcome::permanent;
  return out;
}

std::unique_ptr<socket_protocol>
slack_provider::socket_session(const channel_settings& s, const channel_account& account,
                               const std::string& assistant_name) const {
  auto app = s.secrets.find("appToken");
  if (app == s.secrets.end() || app->second.empty())
    return nullptr; // the Events API: deliveries come to our own HTTP route
  slack_socket_config cfg;
  cfg.base_url = base(s);
  cfg.bot_token = s.secrets.at("botToken");
  cfg.app_token = app->second;
  cfg.bot_user = account.id;
  cfg.assistant_name = assistant_name;
  cfg.names = names_;
  cfg.threads = threads_;
  return std::make_unique<slack_socket>(std::move(cfg));
}

} // namespace pincer
