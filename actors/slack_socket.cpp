#include "actors/slack_socket.hpp"

#include "actors/channel_rules.hpp"
#include "events/time.hpp"

namespace pincer {

slack_socket::slack_socket(slack_socket_config cfg) : cfg_(std::move(cfg)) {
}

std::optional<http_call> slack_socket::discover_call() const {
  http_call c;
  c.method = "POST";
  c.url = cfg_.base_url + "/apps.connections.open";
  c.headers = slack_headers(cfg_.app_token, false);
  return c;
}

result<unit> slack_socket::parse_discover(const http_result& r) {
  if (r.status == 0)
    return error{ec::upstream_error, "Slack is unreachable: " + r.transport_error};
  auto body = json::parse(r.body, nullptr, false);
  auto problem = text_of(body, "error");
  if (problem == "invalid_auth" || problem == "not_authed" || problem == "account_inactive"
      || problem == "token_revoked" || problem == "not_allowed_token_type")
    return invalid("appToken", "Slack refused the app token: " + problem);
  if (r.status != 200 || !is_true(body, "ok")
      || !body.value("url", json{}).is_string())
    return error{ec::upstream_error, "Slack answered apps.connections.open with "
                                       + (problem.empty() ? "HTTP " + std::to_string(r.status)
                                                          : problem)};
  url_ = body["url"].get<std::string>();
  return unit{};
}

std::string slack_socket::socket_url() const {
  return url_;
}

socket_step slack_socket::on_open(int64_t) {
  return {};
}

socket_step slack_socket::on_text(const std::string& frame, int64_t) {
  socket_step step;
  auto p = json::parse(frame, nullptr, false);
  if (!p.is_object())
    return step;
  auto type = text_of(p, "type");
  if (type == "hello") {
    step.ready = true;
    return step;
  }
  if (type == "disconnect") {
    if (text_of(p, "reason") == "link_disabled")
      step.fatal = "Slack disabled Socket Mode for the app (link_disabled)";
    else
      step.reconnect = true;
    return step;
  }
  if (text_of(p, "envelope_id").empty())
    return step;
  step.send.push_back(json{{"envelope_id", p["envelope_id"]}}.dump());
  if (type != "events_api" || !p.contains("payload") || !p["payload"].is_object())
    return step;
  auto& payload = p["payload"];
  auto event_id = text_of(payload, "event_id");
  if (!event_id.empty() && !events_.insert(event_id))
    return step; // a redelivery of an event already handled
  if (auto m = slack_message_of(payload.value("event", json{}), cfg_.bot_user,
                                cfg_.assistant_name)) {
    cfg_.threads->note(m->message.chat_jid, m->thread_ts);
    step.messages.push_back(std::move(m->message));
  }
  return step;
}

socket_step slack_socket::on_timer(int64_t) {
  return {};
}

socket_step slack_socket::on_close(int, int64_t) {
  socket_step step;
  step.reconnect = true;
  return step;
}

void slack_socket::complete(std::vector<inbound_message>& msgs, const http_fetch& fetch) {
  for (auto& user : cfg_.names->fill(msgs)) {
    auto name = slack_user_name(fetch(slack_user_call(cfg_.base_url, cfg_.bot_token, user)));
    cfg_.names->remember(user, name.empty() ? user : name);
  }
  if (cfg_.names->wants_channels(msgs, now_ms()))
    sync_slack_channels(*cfg_.names, cfg_.base_url, cfg_.bot_token, fetch);
  cfg_.names->fill(msgs);
}

} // namespace pincer
