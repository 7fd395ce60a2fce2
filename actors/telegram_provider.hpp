#pragma once

#include "actors/channel_provider.hpp"

namespace pincer {

/// The Telegram Bot API: `getMe`, `sendMessage`, `getUpdates` long polling.
class telegram_provider : public channel_provider {
public:
  std::string name() const override;
  result<channel_settings> parse_settings(const json& body, bool connect,
                                          const std::string& default_base_url) const override;
  std::vector<std::string> secret_names() const override;
  http_call validate_call(const channel_settings& s) const override;
  http_call send_call(const channel_settings& s, const jid_route& to,
                      const std::string& text) const override;
  bool polls() const override {
    return true;
  }
  http_call poll_call(const channel_settings& s, int64_t offset) const override;
  std::optional<std::string> command_reply(const inbound_message& m, const std::string& chat_type,
                                           const std::string& assistant_name) const override;

protected:
  result<channel_account> read_validate(const http_result& r) const override;
  send_outcome read_send(const http_result& r) const override;
  result<poll_batch> read_poll(const http_result& r) const override;

private:
  std::string method_url(const channel_settings& s, const std::string& method) const;
};

} // namespace pincer
