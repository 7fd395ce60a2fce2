#pragma once

#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/projection.hpp"

namespace pincer {

/// The chats-and-messages projection: a chat row per JID (`c/<jid>`) and a
/// message row per stored message (`m/<jid>\0<be64 seq>`), inbound and
/// outbound. Secrets never reach it: it reads message events only.
class chat_projection : public projection {
public:
  explicit chat_projection(std::string assistant_name = "Andy")
    : assistant_name_(std::move(assistant_name)) {
  }
  std::string name() const override;
  void project(const event_view& e, std::vector<row>& out) const override;

private:
  std::string assistant_name_;
};

/// `GET /channels/chats`: every chat (of one channel when `channel` is set),
/// newest first, with the namespace that maps it.
result<json> query_chats(const event_store& store, const query_params& q, const json& namespaces);

/// `GET /channels/chats/{jid}/messages`: newest first, paginated.
result<json> query_chat_messages(const event_store& store, const std::string& jid,
                                 const query_params& q);

/// State of the projection runner.
struct chats_actor_state {
  std::shared_ptr<event_store> store;
  directory_actor directory;
  chat_projection projection;
  uint64_t position = 0;

  static inline const char* name = "chats";
};

/// Follows the log into the projection and answers chat queries.
chats_actor::behavior_type chats_behavior(chats_actor::stateful_pointer<chats_actor_state> self,
                                          std::shared_ptr<event_store> store,
                                          directory_actor directory, std::string assistant_name);

} // namespace pincer
