#pragma once

// The wire format of each chat provider: builds HTTP calls and reads the
// answers. No I/O and no actors here, so every rule is unit-testable.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/channel_rules.hpp"
#include "actors/channel_types.hpp"
#include "actors/socket_protocol.hpp"
#include "events/error.hpp"

namespace pincer {

/// What a channel needs to talk to its provider.
struct channel_settings {
  json config = json::object();               ///< Non-secret: `baseUrl`, `phoneNumberId`.
  std::map<std::string, std::string> secrets; ///< `botToken`, `appSecret`, ... (never in events).
};

/// The result of one long poll: messages and the next offset.
struct poll_batch {
  std::vector<inbound_message> messages;
  int64_t next_offset = 0; ///< Unchanged when no update arrived.
  /// Chat type per message id (`private`, `group`, ...), for `/chatid`.
  std::map<std::string, std::string> chat_types;
};

/// One provider's wire format.
class channel_provider {
public:
  virtual ~channel_provider() = default;

  /// `telegram`, `whatsapp`, ...
  virtual std::string name() const = 0;

  /// Validates a `validate` (`connect` false) or `connect` body; the base URL
  /// falls back to `default_base_url`.
  virtual result<channel_settings> parse_settings(const json& body, bool connect,
                                                  const std::string& default_base_url) const = 0;

  /// The names of the secrets `parse_settings` returns.
  virtual std::vector<std::string> secret_names() const = 0;

  /// The token check (`getMe`, `GET /{phoneNumberId}`).
  virtual http_call validate_call(const channel_settings& s) const = 0;

  /// The account on success; `validation_failed` (naming the credential
  /// field) when the provider refused the credentials; `upstream_error` when
  /// it could not be asked or answered with fields of unexpected types.
  result<channel_account> parse_validate(const http_result& r) const;

  /// Sends one part of a message to a chat.
  virtual http_call send_call(const channel_settings& s, const jid_route& to,
                              const std::string& text) const = 0;

  /// Reads the answer to `send_call`; a malformed answer is a permanent
  /// failure (the message may have gone out: sending again could repeat it).
  send_outcome parse_send(const http_result& r) const;

  /// Whether the channel receives by long polling (`poll_call`).
  virtual bool polls() const {
    return false;
  }

  /// The next long poll from `offset`.
  virtual http_call poll_call(const channel_settings&, int64_t) const {
    return {};
  }

  /// Reads a long poll's answer; `validation_failed` when the credentials
  /// stopped working, `upstream_error` for a failure worth retrying
  /// (a malformed answer included).
  result<poll_batch> parse_poll(const http_result& r) const;

  /// The messages of a webhook delivery (already authenticated); none when
  /// the delivery has fields of unexpected types.
  std::vector<inbound_message> parse_webhook(const json& body) const;

  /// The WebSocket session that receives for these settings (Discord's
  /// Gateway, Slack's Socket Mode); nullptr when the channel does not
  /// receive over a WebSocket.
  virtual std::unique_ptr<socket_protocol> socket_session(const channel_settings&,
                                                          const channel_account&,
                                                          const std::string&) const {
    return nullptr;
  }

  /// The rate-limit route of a send (requests on one route share buckets).
  virtual std::string rate_route(const jid_route& to) const {
    return to.jid;
  }

  /// The answer to a chat command that is handled, not stored (Telegram's
  /// `/chatid` and `/ping`); nullopt for an ordinary message.
  virtual std::optional<std::string> command_reply(const inbound_message& /*m*/,
                                                   const std::string& /*chat_type*/,
                                                   const std::string& /*assistant_name*/) const {
    return std::nullopt;
  }

protected:
  // What the `parse_*` functions call. These read provider answers, which
  // are not trusted to have the documented types: a throw (a string where a
  // number belongs, say) is caught by the caller and named there.
  virtual result<channel_account> read_validate(const http_result& r) const = 0;
  virtual send_outcome read_send(const http_result& r) const = 0;
  virtual result<poll_batch> read_poll(const http_result&) const {
    return error{ec::internal, "this channel does not poll"};
  }
  virtual std::vector<inbound_message> read_webhook(const json&) const {
    return {};
  }
};

/// The provider of a channel name, or nullptr when that channel is not
/// available (yet).
std::shared_ptr<const channel_provider> make_channel_provider(const std::string& name);

/// The provider's production base URL.
std::string default_provider_url(const std::string& name);

/// Checks a `baseUrl` request field: an `http://` or `https://` URL without
/// spaces; trailing slashes removed.
result<std::string> validate_base_url(const json& body, const std::string& fallback);

/// Reads a required non-empty string field of at most `max` bytes without
/// control characters.
result<std::string> credential_field(const json& body, const std::string& field, size_t max = 512);

/// The error of a call that reached no provider (`status` 0): `upstream_error`.
error unreachable_error(const std::string& provider, const http_result& r);

/// The outcome of a send that reached no provider (`status` 0): transient.
send_outcome unreachable_send(const std::string& provider, const http_result& r);

/// Retry delay from a `Retry-After` header (seconds), if present and sane.
std::optional<int64_t> retry_after_header_ms(const http_result& r);

} // namespace pincer
