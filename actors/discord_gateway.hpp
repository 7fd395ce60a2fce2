#pragma once

// Discord's Gateway session as a state machine: HELLO, IDENTIFY (with the
// message-content intent) or RESUME, heartbeats with a jittered first beat
// and ACK checking, op 7 reconnect, op 9 invalid session, fatal close codes,
// MESSAGE_CREATE dispatches turned into inbound messages, and the guild and
// channel names of GUILD_CREATE / CHANNEL_CREATE kept for chat names.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "actors/socket_protocol.hpp"

namespace pincer {

/// GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT.
constexpr int discord_intents = (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15);

/// The Gateway close codes after which reconnecting cannot help.
bool discord_fatal_close(int code);

/// The HTTP headers of a Discord REST call with a bot token.
std::vector<std::string> discord_headers(const std::string& token, bool json_body);

/// One bot's Gateway session.
class discord_gateway : public socket_protocol {
public:
  /// `base_url` is the REST base (`https://discord.com/api/v10`); `jitter`
  /// returns a number in [0, 1) that scales the first heartbeat.
  discord_gateway(std::string base_url, std::string token, std::string bot_id,
                  std::string assistant_name, std::function<double()> jitter = {});

  std::optional<http_call> discover_call() const override;
  result<unit> parse_discover(const http_result& r) override;
  std::string socket_url() const override;
  socket_step on_open(int64_t now_ms) override;
  socket_step on_text(const std::string& frame, int64_t now_ms) override;
  socket_step on_timer(int64_t now_ms) override;
  socket_step on_close(int code, int64_t now_ms) override;

  /// The session id of READY (empty before).
  const std::string& session_id() const {
    return session_id_;
  }

  /// The sequence number of the last dispatch.
  std::optional<int64_t> seq() const {
    return seq_;
  }

  /// Whether the next connection resumes the session.
  bool resuming() const {
    return resume_ && !session_id_.empty();
  }

  /// Turns a MESSAGE_CREATE payload into an inbound message; nullopt for
  /// messages of bots (this one included) and messages without content.
  /// A guild chat is named `<guild> #<channel>` once the Gateway has told
  /// those names (`#<channel id>` before), a DM after its sender.
  std::optional<inbound_message> to_message(const json& d) const;

private:
  std::string heartbeat() const;
  socket_step dispatch(const json& payload);
  void remember_guild(const json& guild);
  void remember_channel(const json& channel, const std::string& guild_id);
  std::string chat_name(const std::string& guild_id, const std::string& channel_id) const;

  std::string base_url_;
  std::string token_;
  std::string bot_id_;
  std::string assistant_name_;
  std::function<double()> jitter_;
  std::string gateway_url_;
  std::string session_id_;
  std::string resume_url_;
  std::optional<int64_t> seq_;
  bool resume_ = false;
  int64_t interval_ms_ = 0;
  bool awaiting_ack_ = false;
  std::map<std::string, std::string> guilds_;   ///< Guild name by id.
  std::map<std::string, std::string> channels_; ///< Channel (or thread) name by id.
};

} // namespace pincer
