#pragma once

// Slack's Socket Mode as a state machine: `apps.connections.open` for every
// connection, `hello`, envelopes acknowledged at once, `disconnect`
// (`refresh_requested`, `warning`) answered by reconnecting and
// `link_disabled` by stopping.

#include <memory>
#include <string>

#include "actors/slack_rules.hpp"
#include "actors/socket_protocol.hpp"

namespace pincer {

/// What a Socket Mode session needs.
struct slack_socket_config {
  std::string base_url;  ///< `https://slack.com/api`.
  std::string bot_token; ///< `xoxb-...`: Web API calls (users.info).
  std::string app_token; ///< `xapp-...`: apps.connections.open.
  std::string bot_user;  ///< The bot's user id (auth.test `user_id`).
  std::string assistant_name;
  std::shared_ptr<slack_names> names = std::make_shared<slack_names>();
  std::shared_ptr<slack_threads> threads = std::make_shared<slack_threads>();
};

/// One Socket Mode session.
class slack_socket : public socket_protocol {
public:
  explicit slack_socket(slack_socket_config cfg);

  std::optional<http_call> discover_call() const override;
  result<unit> parse_discover(const http_result& r) override;
  std::string socket_url() const override;
  socket_step on_open(int64_t now_ms) override;
  socket_step on_text(const std::string& frame, int64_t now_ms) override;
  socket_step on_timer(int64_t now_ms) override;
  socket_step on_close(int code, int64_t now_ms) override;
  void complete(std::vector<inbound_message>& msgs, const http_fetch& fetch) override;

private:
  slack_socket_config cfg_;
  std::string url_;
  recent_ids events_;
};

} // namespace pincer
