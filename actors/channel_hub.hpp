#pragma once

#include <map>
#include <memory>
#include <string>

#include "actors/channel_actor.hpp"
#include "actors/channel_rules.hpp"
#include "actors/interfaces.hpp"

namespace pincer {

/// Validates a `POST /channels/messages` body into an outbound request.
result<outbound_request> parse_outbound(const json& body);

/// The outbound message a log record asks for: `run.output` with a reply or
/// `ipc.message_sent`, with a chat JID; nullopt for any other record.
std::optional<outbound_request> outbound_of(const record& r);

/// State of the channel hub.
struct channels_state {
  channel_context ctx;
  std::map<std::string, channel_actor> channels; ///< Available channels by name.
  std::map<std::string, json> views;             ///< Latest channel objects.
  sender_allowlist allowlist;
  uint64_t allowlist_version = 0;
  chats_actor chats;
  caf::actor follower;

  static inline const char* name = "channels";
};

/// The hub's behaviour: spawns the channel actors, the chats projection and
/// the follower that turns run outputs and IPC messages into outbound
/// messages.
channels_actor::behavior_type channels_behavior(channels_actor::stateful_pointer<channels_state> self,
                                                channel_context ctx);

/// Checkpoint name of the outbound follower.
constexpr const char* outbound_checkpoint = "channel-outbound";

} // namespace pincer
