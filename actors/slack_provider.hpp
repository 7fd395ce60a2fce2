#pragma once

#include <memory>

#include "actors/channel_provider.hpp"
#include "actors/slack_rules.hpp"

namespace pincer {

/// Slack's Web API (`auth.test`, `chat.postMessage`, `users.info`),
/// receiving over Socket Mode (`appToken`) or the Events API
/// (`signingSecret`).
class slack_provider : public channel_provider {
public:
  std::string name() const override;
  result<channel_settings> parse_settings(const json& body, bool connect,
                                          const std::string& default_base_url) const override;
  std::vector<std::string> secret_names() const override;
  http_call validate_call(const channel_settings& s) const override;
  http_call send_call(const channel_settings& s, const jid_route& to,
                      const std::string& text) const override;
  std::unique_ptr<socket_protocol> socket_session(const channel_settings& s,
                                                  const channel_account& account,
                                                  const std::string& assistant_name) const override;

  /// User names, shared by every session of this provider.
  const std::shared_ptr<slack_names>& names() const {
    return names_;
  }

  /// The thread each chat's latest message came from.
  const std::shared_ptr<slack_threads>& threads() const {
    return threads_;
  }

protected:
  result<channel_account> read_validate(const http_result& r) const override;
  send_outcome read_send(const http_result& r) const override;

private:
  std::shared_ptr<slack_names> names_ = std::make_shared<slack_names>();
  std::shared_ptr<slack_threads> threads_ = std::make_shared<slack_threads>();
};

} // namespace pincer
