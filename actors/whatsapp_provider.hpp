#pragma once

#include "actors/channel_provider.hpp"

namespace pincer {

/// The WhatsApp Cloud API (Graph API): `GET /{phoneNumberId}`,
/// `POST /{phoneNumberId}/messages`, webhook deliveries.
class whatsapp_provider : public channel_provider {
public:
  std::string name() const override;
  result<channel_settings> parse_settings(const json& body, bool connect,
                                          const std::string& default_base_url) const override;
  std::vector<std::string> secret_names() const override;
  http_call validate_call(const channel_settings& s) const override;
  http_call send_call(const channel_settings& s, const jid_route& to,
                      const std::string& text) const override;

protected:
  result<channel_account> read_validate(const http_result& r) const override;
  send_outcome read_send(const http_result& r) const override;
  std::vector<inbound_message> read_webhook(const json& body) const override;
};

} // namespace pincer
