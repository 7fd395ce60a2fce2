#include "actors/channel_provider.hpp"

#include <algorithm>
#include <cctype>

#include "actors/discord_provider.hpp"
#include "actors/slack_provider.hpp"
#include "actors/telegram_provider.hpp"
#include "actors/whatsapp_provider.hpp"

namespace pincer {

std::shared_ptr<const channel_provider> make_channel_provider(const std::string& name) {
  if (name == "telegram")
    return std::make_shared<telegram_provider>();
  if (name == "whatsapp")
    return std::make_shared<whatsapp_provider>();
  if (name == "discord")
    return std::make_shared<discord_provider>();
  if (name == "slack")
    return std::make_shared<slack_provider>();
  return nullptr;
}

std::string default_provider_url(const std::string& name) {
  if (name == "telegram")
    return "https://api.telegram.org";
  if (name == "slack")
    return "https://slack.com/api";
  if (name == "discord")
    return "https://discord.com/api/v10";
  if (name == "whatsapp")
    return "https://graph.facebook.com/v21.0";
  return {};
}

result<std::string> validate_base_url(const json& body, const std::string& fallback) {
  if (!body.contains("baseUrl"))
    return fallback;
  auto& v = body["baseUrl"];
  if (!v.is_string())
    return invalid("baseUrl", "baseUrl must be an http:// or https:// URL");
  auto url = v.get<std::string>();
  bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  bool clean = std::none_of(url.begin(), url.end(), [](unsigned char c) {
    return c <= 0x20 || c >= 0x7F || c == '?' || c == '#';
  });
  if (!scheme || !clean || url.size() > 512 || url.find("://") + 3 >= url.size())
    return invalid("baseUrl", "baseUrl must be an http:// or https:// URL");
  while (url.back() == '/')
    url.pop_back();
  return url;
}

result<std::string> credential_field(const json& body, const std::string& field, size_t max) {
  if (!body.contains(field))
    return invalid(field, field + " is required");
  auto& v = body[field];
  if (!v.is_string() || v.get<std::string>().empty())
    return invalid(field, field + " must be a non-empty string");
  auto s = v.get<std::string>();
  if (s.size() > max)
    return invalid(field, field + " must be at most " + std::to_string(max) + " bytes");
  if (std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; }))
    return invalid(field, field + " must not contain control characters");
  return s;
}

namespace {

std::string malformed(const channel_provider& p, const std::exception& e) {
  return p.name() + " sent a malformed answer: " + e.what();
}

} // namespace

result<channel_account> channel_provider::parse_validate(const http_result& r) const {
  try {
    return read_validate(r);
  } catch (const std::exception& e) {
    return error{ec::upstream_error, malformed(*this, e)};
  }
}

send_outcome channel_provider::parse_send(const http_result& r) const {
  try {
    return read_send(r);
  } catch (const std::exception& e) {
    send_outcome out;
    out.kind = send_outcome::permanent;
    out.message = malformed(*this, e);
    return out;
  }
}

result<poll_batch> channel_provider::parse_poll(const http_result& r) const {
  try {
    return read_poll(r);
  } catch (const std::exception& e) {
    return error{ec::upstream_error, malformed(*this, e)};
  }
}

std::vector<inbound_message> channel_provider::parse_webhook(const json& body) const {
  try {
    return read_webhook(body);
  } catch (const std::exception&) {
    return {};
  }
}

error unreachable_error(const std::string& provider, const http_result& r) {
  return error{ec::upstream_error, provider + " is unreachable: " + r.transport_error};
}

send_outcome unreachable_send(const std::string& provider, const http_result& r) {
  send_outcome out;
  out.kind = send_outcome::transient;
  out.message = provider + " is unreachable: " + r.transport_error;
  return out;
}

std::optional<int64_t> retry_after_header_ms(const http_result& r) {
  auto i = r.headers.find("retry-after");
  if (i == r.headers.end() || i->second.empty()
      || i->second.find_first_not_of("0123456789.") != std::string::npos)
    return std::nullopt;
  try {
    auto secs = std::stod(i->second);
    return static_cast<int64_t>(std::clamp(secs, 0.0, 3600.0) * 1000);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

} // namespace pincer
