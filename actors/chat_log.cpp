#include "actors/chat_log.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "actors/audit_log.hpp"
#include "actors/channel_rules.hpp"
#include "events/channel_events.hpp"
#include "events/json_text.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

const std::string projection_name = "chats";

std::string message_prefix(const std::string& jid) {
  return "m/" + jid + std::string(1, '\0');
}

} // namespace

std::string chat_projection::name() const {
  return projection_name;
}

void chat_projection::project(const event_view& e, std::vector<row>& out) const {
  using namespace event_types;
  const auto& r = e.rec();
  bool inbound = r.type == channel_message_received || r.type == channel_chat_seen;
  if (!inbound && r.type != channel_message_queued)
    return;
  const auto& d = e.data();
  if (!d.is_object())
    return;
  auto jid = d.value("chatJid", std::string{});
  if (jid.empty())
    return;
  if (inbound) {
    json chat{{"jid", jid},
              {"name", d.value("chatName", std::string{})},
              {"channel", d.value("channel", std::string{})},
              {"isGroup", d.value("isGroup", false)},
              {"lastMessageAt", d.value("timestamp", format_time(r.at))}};
    out.emplace_back("c/" + jid, chat.dump());
    if (r.type == channel_chat_seen)
      return;
    json msg{{"id", d.value("id", std::string{})},
             {"chatJid", jid},
             {"sender", d.value("sender", std::string{})},
             {"senderName", d.value("senderName", std::string{})},
             {"content", d.value("content", std::string{})},
             {"timestamp", d.value("timestamp", format_time(r.at))},
             {"fromMe", d.value("fromMe", false)},
             {"isBot", d.value("isBot", false)}};
    out.emplace_back(message_prefix(jid) + be64(r.seq), msg.dump());
    return;
  }
  json msg{{"id", d.value("id", std::string{})},
           {"chatJid", jid},
           {"sender", "me"},
           {"senderName", assistant_name_},
           {"content", d.value("text", std::string{})},
           {"timestamp", format_time(r.at)},
           {"fromMe", true},
           {"isBot", true}};
  out.emplace_back(message_prefix(jid) + be64(r.seq), msg.dump());
}

result<json> query_chats(const event_store& store, const query_params& q, const json& namespaces) {
  std::string channel;
  if (auto i = q.find("channel"); i != q.end()) {
    auto& names = channel_names();
    if (std::find(names.begin(), names.end(), i->second) == names.end())
      return invalid("channel", "channel must be telegram, slack, discord or whatsapp");
    channel = i->second;
  }
  std::map<std::string, std::string> mapped;
  if (namespaces.is_array())
    for (auto& ns : namespaces)
      for (auto& jid : ns.value("chatJids", json::array()))
        if (jid.is_string())
          mapped[jid.get<std::string>()] = ns.value("name", std::string{});
  json items = json::array();
  auto scanned = store.scan_projection(projection_name, "c/", false,
                                       [&](const std::string& key, const std::string& value) {
                                         if (key.compare(0, 2, "c/") != 0)
                                           return false;
                                         auto chat = json::parse(value, nullptr, false);
                                         if (!chat.is_object())
                                           return true;
                                         if (!channel.empty() && chat["channel"] != channel)
                                           return true;
                                         auto m = mapped.find(chat.value("jid", std::string{}));
                                         chat["namespace"] = m == mapped.end() ? json() : json(m->second);
                                         items.push_back(std::move(chat));
                                         return true;
                                       });
  if (!scanned)
    return scanned.err();
  std::stable_sort(items.begin(), items.end(), [](const json& a, const json& b) {
    return a.value("lastMessageAt", "") > b.value("lastMessageAt", "");
  });
  return items;
}

result<json> query_chat_messages(const event_store& store, const std::string& jid,
                                 const query_params& q) {
  if (!route_jid(jid))
    return invalid("jid", "unknown chat JID form " + jid);
  auto limit = parse_limit(q);
  if (!limit)
    return limit.err();
  auto cursor = parse_u64(q, "cursor", 0);
  if (!cursor)
    return invalid("cursor", "cursor is not one this server gave out");
  auto normal = route_jid(jid)->jid;
  auto prefix = message_prefix(normal);
  json items = json::array();
  json next = nullptr;
  if (*cursor == 1)
    return json{{"items", items}, {"nextCursor", next}};
  auto start = prefix + (*cursor > 0 ? be64(*cursor - 1) : std::string(8, '\xff'));
  uint64_t last_seq = 0;
  auto scanned = store.scan_projection(
    projection_name, start, true, [&](const std::string& key, const std::string& value) {
      if (key.compare(0, prefix.size(), prefix) != 0)
        return false;
      if (items.size() == *limit) {
        next = std::to_string(last_seq);
        return false;
      }
      auto msg = json::parse(value, nullptr, false);
      if (!msg.is_object())
        return true;
      items.push_back(std::move(msg));
      auto seq_bytes = key.substr(prefix.size());
      last_seq = 0;
      for (unsigned char c : seq_bytes)
        last_seq = (last_seq << 8) | c;
      return true;
    });
  if (!scanned)
    return scanned.err();
  return json{{"items", std::move(items)}, {"nextCursor", std::move(next)}};
}

chats_actor::behavior_type chats_behavior(chats_actor::stateful_pointer<chats_actor_state> self,
                                          std::shared_ptr<event_store> store,
                                          directory_actor directory, std::string assistant_name) {
  auto& st = self->state;
  st.store = std::move(store);
  st.directory = std::move(directory);
  st.projection = chat_projection{std::move(assistant_name)};
  auto catch_up = [self] {
    auto done = pincer::catch_up(*self->state.store, self->state.projection);
    if (done)
      self->state.position = *done;
    else
      spdlog::error("chats: {}", done.err().message);
    return static_cast<bool>(done);
  };
  catch_up();
  return {
    [self, catch_up](notify_atom, uint64_t last_seq) {
      if (last_seq > self->state.position)
        catch_up();
    },
    [self, catch_up](chats_atom, query_params& q) -> caf::result<reply> {
      catch_up();
      auto rp = self->make_response_promise<reply>();
      self->request(self->state.directory, std::chrono::seconds{30}, list_atom::value)
        .then(
          [self, rp, q](reply& ns) mutable {
            auto items = query_chats(*self->state.store, q, ns.body);
            if (items)
              rp.deliver(reply{200, std::move(*items)});
            else
              rp.deliver(to_caf(items.err()));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self, catch_up](chats_atom, std::string& jid, query_params& q) -> caf::result<reply> {
      catch_up();
      auto page = query_chat_messages(*self->state.store, jid, q);
      if (!page)
        return to_caf(page.err());
      return reply{200, std::move(*page)};
    },
  };
}

} // namespace pincer
