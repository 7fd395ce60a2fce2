#include "actors/channel_actor.hpp"

#include <algorithm>

#include "actors/channel_rules.hpp"
#include "events/channel_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr size_t remembered_ids = 10000;

std::string seen_key(const inbound_message& m) {
  return m.chat_jid + '\n' + m.id;
}

} // namespace

void channel_state::apply(const envelope& e) {
  using namespace event_types;
  auto& d = e.data;
  if (e.type == channel_connected) {
    status = "connected";
    configured = true;
    auto a = d.value("account", json::object());
    account = channel_account{a.value("id", std::string{}), a.value("name", std::string{})};
    connected_at = e.at;
    last_error.reset();
    config = d.value("config", json::object());
    sealed = d.value("secrets", json::object());
  } else if (e.type == channel_disconnected) {
    status = "disconnected";
    account.reset();
    connected_at = 0;
    last_error.reset();
    config = json::object();
    sealed = json::object();
  } else if (e.type == channel_failed) {
    status = "error";
    last_error = d.value("error", std::string{"failed"});
  } else if (e.type == channel_offset_advanced) {
    offset = std::max(offset, d.value("offset", int64_t{0}));
  } else if (e.type == channel_message_received || e.type == channel_chat_seen) {
    inbound_message m;
    m.chat_jid = d.value("chatJid", std::string{});
    m.id = d.value("id", std::string{});
    remember(m);
    if (e.type == channel_message_received)
      ++messages_in;
  } else if (e.type == channel_message_queued) {
    outbox_item item;
    item.id = d.value("id", std::string{});
    item.chat_jid = d.value("chatJid", std::string{});
    item.text = d.value("text", std::string{});
    item.parts = split_text(item.text, text_limit(name));
    outbox.push_back(std::move(item));
    max_origin = std::max(max_origin, d.value("originSeq", uint64_t{0}));
  } else if (e.type == channel_message_part_sent || e.type == channel_message_failed) {
    auto id = d.value("id", std::string{});
    auto i = std::find_if(outbox.begin(), outbox.end(),
                          [&](const outbox_item& x) { return x.id == id; });
    if (i == outbox.end())
      return;
    if (e.type == channel_message_part_sent)
      i->next = std::max(i->next, d.value("part", size_t{0}) + 1);
    if (e.type == channel_message_failed || i->next >= i->parts.size()) {
      if (e.type == channel_message_part_sent)
        ++messages_out;
      outbox.erase(i);
    }
  }
}

json channel_state::view() const {
  return json{{"name", name},
              {"status", status},
              {"account", account ? json{{"id", account->id}, {"name", account->name}} : json()},
              {"connectedAt", connected_at ? json(format_time(connected_at)) : json()},
              {"lastError", last_error ? json(*last_error) : json()},
              {"messagesIn", messages_in},
              {"messagesOut", messages_out},
              {"queued", outbox.size()}};
}

bool channel_state::seen(const inbound_message& m) const {
  return seen_.count(seen_key(m)) > 0;
}

void channel_state::remember(const inbound_message& m) {
  auto key = seen_key(m);
  if (!seen_.insert(key).second)
    return;
  seen_order_.push_back(key);
  while (seen_order_.size() > remembered_ids) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

void channel_state::unremember(const inbound_message& m) {
  seen_.erase(seen_key(m));
}

json inbound_event_data(const inbound_message& m) {
  return json{{"id", m.id},
              {"chatJid", m.chat_jid},
              {"channel", m.channel},
              {"chatName", m.chat_name},
              {"isGroup", m.is_group},
              {"sender", m.sender},
              {"senderName", m.sender_name},
              {"content", m.text},
              {"timestamp", format_time(m.at)},
              {"fromMe", m.from_me},
              {"isBot", m.is_bot}};
}

json unavailable_channel_view(const std::string& name) {
  channel_state st;
  st.name = name;
  return st.view();
}

} // namespace pincer
