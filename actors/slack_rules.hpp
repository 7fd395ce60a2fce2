#pragma once

// Slack's inbound rules, shared by Socket Mode and the Events API: request
// signatures (v0 HMAC-SHA256 within a 5-minute window), message events
// turned into inbound messages, user and channel names cached, the thread a chat's
// latest message came from, event ids already handled. No I/O here.

#include <deque>
#include <functional>
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

/// One page of `conversations.list` (public and private channels and group
/// DMs, archived ones left out, 200 per page) from `cursor` (empty: the first).
http_call slack_channels_call(const std::string& base_url, const std::string& bot_token,
                              const std::string& cursor);

/// The names of the channels the bot is a member of on one page, and the
/// cursor of the next page (empty on the last).
struct slack_channel_page {
  bool ok = false; ///< False when the answer is not a successful list.
  std::map<std::string, std::string> names;
  std::string next_cursor;
};

/// Reads an answer to `slack_channels_call`.
slack_channel_page slack_channel_names(const http_result& r);

/// How often an unknown channel may make the channel names be listed again.
constexpr int64_t slack_channel_sync_ms = 60 * 1000;

/// User names by user id and channel names by channel id, shared between threads.
class slack_names {
public:
  std::optional<std::string> find(const std::string& user) const;
  void remember(const std::string& user, const std::string& name);
  void remember_channels(const std::map<std::string, std::string>& names);

  /// Fills sender names, and chat names (a channel's name, or the sender's
  /// in a DM), from the cache; returns the users still unknown.
  std::set<std::string> fill(std::vector<inbound_message>& msgs) const;

  /// Whether to list the channels now: some message is in a channel whose
  /// name is unknown, and the last listing (if any) is `slack_channel_sync_ms`
  /// old. True claims the listing, so callers meanwhile get false.
  bool wants_channels(const std::vector<inbound_message>& msgs, int64_t now_ms);

private:
  mutable std::mutex mtx_;
  std::map<std::string, std::string> names_;
  std::map<std::string, std::string> channels_;
  int64_t listed_at_ = 0; ///< When the last listing was claimed; 0: never.
};

/// Lists every page of the channel names with `fetch` (at most 100 pages)
/// and remembers them.
void sync_slack_channels(slack_names& names, const std::string& base_url,
                         const std::string& bot_token,
                         const std::function<http_result(const http_call&)>& fetch);

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
