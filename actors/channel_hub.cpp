#include "actors/channel_hub.hpp"

#include <spdlog/spdlog.h>

#include "actors/chat_log.hpp"
#include "actors/tail.hpp"
#include "events/catalog.hpp"
#include "events/channel_events.hpp"
#include "events/queue_events.hpp"

namespace pincer {

namespace {

using self_ptr = channels_actor::stateful_pointer<channels_state>;

constexpr auto ask_timeout = std::chrono::seconds{60};
constexpr size_t max_text_points = 100000;

/// Forwards a request and passes its answer back through a promise.
template <class Handle, class... Ts>
caf::result<reply> relay(self_ptr self, const Handle& target, Ts&&... xs) {
  auto rp = self->make_response_promise<reply>();
  self->request(target, ask_timeout, std::forward<Ts>(xs)...)
    .then([rp](reply& r) mutable { rp.deliver(std::move(r)); },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::error unknown_channel(const std::string& name) {
  return to_caf(error{ec::not_found, "There is no channel named " + name + "."});
}

caf::error unavailable(const std::string& name) {
  return to_caf(error{ec::not_found, "The " + name + " channel is not available in this server."});
}

bool known(const std::string& name) {
  auto& names = channel_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// Follows the log and hands run outputs and IPC messages to the hub,
/// committing its position as a checkpoint.
caf::actor spawn_outbound_follower(self_ptr self) {
  auto& st = self->state;
  auto store = st.ctx.store;
  auto after = store->checkpoint(outbound_checkpoint);
  if (after == 0)
    after = store->last_seq(); // history before the channels existed is not replayed
  auto hub = caf::actor_cast<channels_actor>(self);
  auto feed = [store, hub](uint64_t& position) {
    auto read = store->read_all(position, [&](const record& r) {
      position = r.seq;
      if (auto out = outbound_of(r))
        caf::anon_send(hub, outbound_atom::value, out->origin_seq, out->chat_jid, out->text,
                       out->source);
      return true;
    });
    if (!read)
      spdlog::error("channels: cannot follow the log: {}", read.err().message);
    if (auto ok = store->commit_projection(outbound_checkpoint, position, {}); !ok)
      spdlog::error("channels: cannot store the follower position: {}", ok.err().message);
    return true;
  };
  return spawn_follower(self->system(), store, st.ctx.log, after, feed, false);
}

} // namespace

result<outbound_request> parse_outbound(const json& body) {
  if (!body.contains("chatJid"))
    return invalid("chatJid", "chatJid is required");
  if (!body["chatJid"].is_string())
    return invalid("chatJid", "chatJid must be a string");
  auto route = route_jid(body["chatJid"].get<std::string>());
  if (!route)
    return invalid("chatJid", "unknown chat JID form (expected tg:<id>, slack:<id>, dc:<id>, "
                              "wa:<phone>, <phone>@s.whatsapp.net or <id>@g.us)");
  if (!body.contains("text"))
    return invalid("text", "text is required");
  if (!body["text"].is_string() || body["text"].get<std::string>().empty())
    return invalid("text", "text must be a non-empty string");
  auto text = body["text"].get<std::string>();
  if (code_points(text) > max_text_points)
    return invalid("text", "text must be at most 100000 characters");
  return outbound_request{route->jid, std::move(text), "api", 0};
}

std::optional<outbound_request> outbound_of(const record& r) {
  bool output = r.type == event_types::run_output;
  if (!output && r.type != event_types::ipc_message_sent)
    return std::nullopt;
  auto d = json::parse(r.data, nullptr, false);
  if (!d.is_object())
    return std::nullopt;
  auto jid = d.value("chatJid", json{});
  auto text = d.value(output ? "reply" : "text", json{});
  if (!jid.is_string() || !text.is_string() || text.get<std::string>().empty())
    return std::nullopt;
  auto route = route_jid(jid.get<std::string>());
  if (!route)
    return std::nullopt;
  return outbound_request{route->jid, text.get<std::string>(), output ? "run" : "ipc", r.seq};
}

channels_actor::behavior_type channels_behavior(self_ptr self, channel_context ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  auto read = st.ctx.store->read_stream(sender_allowlist_stream, 0, [&](const record& r) {
    if (auto e = event_catalog().decode(r))
      if (auto list = validate_sender_allowlist(e->data))
        st.allowlist = std::move(*list);
    st.allowlist_version = r.stream_version;
    return true;
  });
  if (!read)
    spdlog::error("channels: cannot rebuild the sender allowlist: {}", read.err().message);
  auto hub = caf::actor_cast<channels_actor>(self);
  for (auto& name : channel_names()) {
    st.views[name] = unavailable_channel_view(name);
    if (auto provider = make_channel_provider(name))
      st.channels[name] = self->spawn<caf::linked>(channel_behavior, name, provider, st.ctx, hub);
  }
  st.chats = self->spawn<caf::linked>(chats_behavior, st.ctx.store, st.ctx.directory,
                                      st.ctx.assistant_name);
  caf::anon_send(st.ctx.log, subscribe_atom::value, caf::actor_cast<caf::actor>(st.chats));
  st.follower = spawn_outbound_follower(self);
  self->link_to(st.follower);
  return {
    [self](list_atom) {
      json out = json::array();
      for (auto& name : channel_names())
        out.push_back(self->state.views[name]);
      return reply{200, std::move(out)};
    },
    [self](caf::get_atom, std::string& name) -> caf::result<reply> {
      if (!known(name))
        return unknown_channel(name);
      return reply{200, self->state.views[name]};
    },
    [self](validate_atom, std::string& name, json& body) -> caf::result<reply> {
      auto i = self->state.channels.find(name);
      if (i == self->state.channels.end())
        return known(name) ? unavailable(name) : unknown_channel(name);
      return relay(self, i->second, validate_atom::value, std::move(body));
    },
    [self](connect_atom, std::string& name, json& body, request_meta& meta) -> caf::result<reply> {
      auto i = self->state.channels.find(name);
      if (i == self->state.channels.end())
        return known(name) ? unavailable(name) : unknown_channel(name);
      return relay(self, i->second, connect_atom::value, std::move(body), std::move(meta));
    },
    [self](disconnect_atom, std::string& name, request_meta& meta) -> caf::result<reply> {
      auto i = self->state.channels.find(name);
      if (i == self->state.channels.end())
        return known(name) ? unavailable(name) : unknown_channel(name);
      return relay(self, i->second, disconnect_atom::value, std::move(meta));
    },
    [self](deliver_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto req = parse_outbound(body);
      if (!req)
        return to_caf(req.err());
      auto channel = route_jid(req->chat_jid)->channel;
      auto i = self->state.channels.find(channel);
      if (i == self->state.channels.end())
        return to_caf(invalid("chatJid", "The " + channel + " channel is not available."));
      return relay(self, i->second, deliver_atom::value, std::move(*req), std::move(meta));
    },
    [self](webhook_atom, std::string& name, raw_request& req) -> caf::result<reply> {
      auto i = self->state.channels.find(name);
      if (i == self->state.channels.end())
        return known(name) ? unavailable(name) : unknown_channel(name);
      return relay(self, i->second, webhook_atom::value, std::move(req));
    },
    [self](caf::get_atom, allowlist_atom) { return reply{200, to_json(self->state.allowlist)}; },
    [self](allowlist_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto list = validate_sender_allowlist(body);
      if (!list)
        return to_caf(list.err());
      auto data = to_json(*list);
      append_request req{sender_allowlist_stream, self->state.allowlist_version, meta.actor,
                         meta.request_id,
                         {event_catalog().make(event_types::channel_sender_allowlist_set, data)}};
      auto rp = self->make_response_promise<reply>();
      self->request(self->state.ctx.log, ask_timeout, append_atom::value, std::move(req))
        .await(
          [self, rp, list = *list, data](std::vector<record>& stored) mutable {
            self->state.allowlist = std::move(list);
            self->state.allowlist_version = stored.at(0).stream_version;
            rp.deliver(reply{200, data});
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](chats_atom, query_params& q) {
      return relay(self, self->state.chats, chats_atom::value, std::move(q));
    },
    [self](chats_atom, std::string& jid, query_params& q) {
      return relay(self, self->state.chats, chats_atom::value, std::move(jid), std::move(q));
    },
    [self](route_atom, std::vector<inbound_message>& msgs)
      -> caf::result<std::vector<inbound_route>> {
      auto rp = self->make_response_promise<std::vector<inbound_route>>();
      self->request(self->state.ctx.directory, ask_timeout, list_atom::value)
        .then(
          [self, rp, msgs](reply& ns) mutable {
            std::vector<inbound_route> out;
            for (auto& m : msgs) {
              out.push_back(route_inbound(m, self->state.allowlist, ns.body));
              if (out.back().mapped && !out.back().store && self->state.allowlist.log_denied)
                spdlog::info("channels: dropped a message from sender {} in {}: {}", m.sender,
                             m.chat_jid, out.back().reason);
            }
            rp.deliver(std::move(out));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](chan_view_atom, std::string& name, json& view) {
      self->state.views[name] = std::move(view);
    },
    [self](outbound_atom, uint64_t seq, std::string& jid, std::string& text,
           std::string& source) {
      auto route = route_jid(jid);
      auto i = route ? self->state.channels.find(route->channel) : self->state.channels.end();
      if (i == self->state.channels.end()) {
        spdlog::warn("channels: no channel can deliver to {} (event {})", jid, seq);
        return;
      }
      outbound_request req{route->jid, std::move(text), std::move(source), seq};
      self->request(i->second, ask_timeout, deliver_atom::value, std::move(req),
                    request_meta{"system", ""})
        .then([](reply&) {},
              [jid, seq](caf::error& err) {
                spdlog::warn("channels: cannot queue the reply of event {} for {}: {}", seq, jid,
                             from_caf(err).message);
              });
    },
  };
}

} // namespace pincer
