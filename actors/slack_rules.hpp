#pragma once

// Slack's inbound rules, shared by Socket Mode and the Events API: request
// signatures (v0 HMAC-SHA256 within a 5-minute window), message events
// turned into inbound messages, user names cached, the thread a chat's
// latest message came from, event ids already handled. No I/O here.

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "actors/channel_types.hpp"
#include "events/error.hpp"

namespace pincer {

/// The replay window of a signed Events API request, in seconds.
constexpr int64_t slack_signature_window_secs = 5 * 60;

/// Checks `X-Slack-Signature` (`v0=<hex>`) over `v0:<timestamp>:<body>`
/// and that the timestamp lies within 5 minutes of `now_secs`;
/// `unauthorized` naming the problem otherwise.
result<unit> check_slack_signature(const std::string& timestamp, const std::string& signature,
                                   const std::string& body, const std::string& signing_secret,
                                   int64_t now_secs);

/// An inbound Slack message and the thread it belongs to.
struct slack_message {
  inbound_message message;
  std::string thread_ts; ///< Empty outside threads.
};

/// Turns a `message` event into an inbound message; nullopt for other
/// events, subtypes other than `bot_message`, and empty texts. Messages of
/// `bot_user` (this bot) are from me; a `<@bot_user>` mention prepends the
/// trigger `@<assistant_name>`.
std::optional<slack_message> slack_message_of(const json& event, const std::string& bot_user,
                                              const std::string& assistant_name);

/// The Web API calls' headers with a bearer token.
std::vector<std::string> slack_headers(const std::string& token, bool json_body);

/// `users.info` for one user.
http_call slack_user_call(const std::string& base_url, const std::string& bot_token,
                          const std::string& user);

/// The display name in a `users.info` answer; empty when there is none.
std::string slack_user_name(const http_result& r);

/// User names by user id, shared between threads.
class slack_names {
public:
  std::optional<std::string> find(const std::string& user) const;
  void remember(const std::string& user, const std::string& name);

  /// Fills sender names from the cache; returns the users still unknown.
  std::set<std::string> fill(std::vector<inbound_message>& msgs) const;

private:
  mutable std::mutex mtx_;
  std::map<std::string, std::string> names_;
};

/// The thread of each chat's latest inbound message, so a reply goes there.
class slack_threads {
public:
  void note(const std::string& jid, const std::string& thread_ts);
  std::string of(const std::string& jid) const;

private:
  mutable std::mutex mtx_;
  std::map<std::string, std::string> threads_;
};

/// The most recent ids seen (Events API retries, Socket Mode redeliveries).
class recent_ids {
public:
  explicit recent_ids(size_t capacity = 1000) : capacity_(capacity) {
  }

  /// Remembers `id`; false when it was already there.
  bool insert(const std::string& id);

private:
  size_t capacity_;
  std::set<std::string> ids_;
  std::deque<std::string> order_;
};

} // namespace pincer
