#pragma once

#include <string>

namespace pincer {

class catalog;

/// Event types of the chat channels (Telegram, Slack, Discord, WhatsApp).
namespace event_types {
/// A channel was connected: account, non-secret settings, sealed secrets.
constexpr const char* channel_connected = "channel.connected";
/// A channel was disconnected; its secrets are forgotten.
constexpr const char* channel_disconnected = "channel.disconnected";
/// A connected channel stopped working (e.g. the provider revoked the token).
constexpr const char* channel_failed = "channel.failed";
/// Telegram: every update below `offset` has been handled.
constexpr const char* channel_offset_advanced = "channel.offset_advanced";
/// An inbound chat message was stored.
constexpr const char* channel_message_received = "channel.message_received";
/// An outbound message entered the channel's outbox.
constexpr const char* channel_message_queued = "channel.message_queued";
/// One part of an outbound message was accepted by the provider.
constexpr const char* channel_message_part_sent = "channel.message_part_sent";
/// An outbound message failed for good (the provider refused it).
constexpr const char* channel_message_failed = "channel.message_failed";
/// The sender allowlist was replaced.
constexpr const char* channel_sender_allowlist_set = "channel.sender_allowlist_set";
/// A message from a chat no namespace maps: only the chat list learns of it.
constexpr const char* channel_chat_seen = "channel.chat_seen";
} // namespace event_types

/// The stream of a channel's settings, state and inbound messages: `channel/<name>`.
std::string channel_stream(const std::string& name);

/// The stream of a channel's outbound messages: `outbox/<name>`.
std::string outbox_stream(const std::string& name);

/// The stream of the sender allowlist.
constexpr const char* sender_allowlist_stream = "channel-config/sender-allowlist";

/// Adds the channel event types to a catalog.
void register_channel_events(catalog& c);

} // namespace pincer
