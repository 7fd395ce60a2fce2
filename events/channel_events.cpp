#include "events/channel_events.hpp"

#include "events/catalog.hpp"

namespace pincer {

std::string channel_stream(const std::string& name) {
  return "channel/" + name;
}

std::string outbox_stream(const std::string& name) {
  return "outbox/" + name;
}

void register_channel_events(catalog& c) {
  using namespace event_types;
  c.add(channel_connected, {1, {}, "Connected channel {id}"});
  c.add(channel_disconnected, {1, {}, "Disconnected channel {id}"});
  event_type_info failed{1, {}, "Channel {id} failed"};
  failed.outcome = [](const json&) { return std::string{"failed"}; };
  c.add(channel_failed, failed);
  c.add(channel_offset_advanced, {1, {}, "Advanced the update offset of {id}"});
  c.add(channel_message_received, {1, {}, "Received a message on {id}"});
  c.add(channel_message_queued, {1, {}, "Queued an outbound message on {id}"});
  c.add(channel_message_part_sent, {1, {}, "Sent a message part on {id}"});
  event_type_info send_failed{1, {}, "An outbound message failed on {id}"};
  send_failed.outcome = [](const json&) { return std::string{"failed"}; };
  c.add(channel_message_failed, send_failed);
  c.add(channel_sender_allowlist_set, {1, {}, "Set the sender allowlist"});
  c.add(channel_chat_seen, {1, {}, "Saw a chat on {id}"});
}

} // namespace pincer
