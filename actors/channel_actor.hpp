#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "actors/channel_provider.hpp"
#include "actors/channel_socket.hpp"
#include "actors/rate_buckets.hpp"
#include "actors/slack_rules.hpp"
#include "actors/secrets.hpp"
#include "actors/interfaces.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// What every channel actor is given.
struct channel_context {
  std::shared_ptr<event_store> store;
  event_log_actor log;
  directory_actor directory;
  queue_actor queue; ///< May be invalid: inbound messages are then only stored.
  std::shared_ptr<secret_box> vault; ///< Seals the credentials (owner `channel/<name>`).
  std::string assistant_name = "Andy";
  std::map<std::string, std::string> base_urls; ///< Per channel; missing: production.
};

/// One outbound message waiting in a channel's outbox.
struct outbox_item {
  std::string id;
  std::string chat_jid;
  std::string text;
  std::vector<std::string> parts;
  size_t next = 0; ///< The first part not yet accepted by the provider.
};

/// A channel rebuilt from its streams (`channel/<name>`, `outbox/<name>`).
struct channel_state {
  std::string name;
  std::string status = "disconnected"; ///< connected|connecting|disconnected|error.
  bool configured = false;             ///< Connected at least once.
  std::optional<channel_account> account;
  int64_t connected_at = 0;
  std::optional<std::string> last_error;
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  json config = json::object(); ///< Non-secret settings of the connection.
  json sealed = json::object(); ///< Sealed secrets of the connection.
  int64_t offset = 0;           ///< Telegram: the next update id to ask for.
  std::deque<outbox_item> outbox;
  uint64_t max_origin = 0;      ///< Highest log sequence already turned into a message.

  /// Applies one event of either stream.
  void apply(const envelope& e);

  /// The API object (`GET /channels/{name}`).
  json view() const;

  /// Whether a provider message was handled before (or is being handled).
  bool seen(const inbound_message& m) const;

  /// Remembers a provider message id (the newest 10000 are kept).
  void remember(const inbound_message& m);

  /// Forgets a message id remembered for an ingest that failed.
  void unremember(const inbound_message& m);

private:
  std::set<std::string> seen_;
  std::deque<std::string> seen_order_;
};

/// The `channel.message_received` / `channel.chat_seen` data of a message.
json inbound_event_data(const inbound_message& m);

/// The channel object of a channel that is not available in this build.
json unavailable_channel_view(const std::string& name);

/// The actor state: the rebuilt channel plus its live connection.
struct channel_actor_state {
  channel_state channel;
  channel_context ctx;
  std::shared_ptr<const channel_provider> provider;
  channels_actor hub;
  channel_settings settings;   ///< With opened secrets; only while connected.
  std::shared_ptr<io_control> control = std::make_shared<io_control>();
  uint64_t generation = 0;     ///< Bumped on every connect and disconnect.
  caf::actor poll_io;          ///< I/O threads: long polls, sends, checks.
  caf::actor send_io;
  caf::actor check_io;
  bool polling = false;
  bool sending = false;
  bool backing_off = false;
  int send_failures = 0;
  int poll_failures = 0;
  std::map<std::string, caf::typed_response_promise<reply>> waiting; ///< By message id.
  std::shared_ptr<socket_runner> socket; ///< The WebSocket session, while one receives.
  std::shared_ptr<socket_inbox> inbox = std::make_shared<socket_inbox>();
  rate_buckets buckets;                  ///< Provider rate limits learnt from answers.
  recent_ids event_ids{2000};            ///< Slack Events API deliveries handled.

  static inline const char* name = "channel";
};

/// A channel's behaviour; rebuilds from its streams and reconnects when the
/// log says it was connected.
channel_actor::behavior_type
channel_behavior(channel_actor::stateful_pointer<channel_actor_state> self, std::string name,
                 std::shared_ptr<const channel_provider> provider, channel_context ctx,
                 channels_actor hub);

} // namespace pincer
