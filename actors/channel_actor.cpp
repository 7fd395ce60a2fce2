#include "actors/channel_actor.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "actors/channel_actor_ops.hpp"
#include "actors/provider_http.hpp"
#include "actors/slack_provider.hpp"
#include "events/catalog.hpp"
#include "events/channel_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

using namespace channel_ops;

/// A provider call's thread: runs one blocking call at a time.
caf::behavior io_worker(caf::event_based_actor*) {
  return {
    [](chan_io_atom, const io_request& r) {
      auto control = r.control;
      auto generation = r.generation;
      return perform_http(r.call, [control, generation] {
        return control->stopping.load() || control->generation.load() != generation;
      });
    },
  };
}

std::string owner(const channel_actor_state& st) {
  return channel_stream(st.channel.name);
}

void poll(self_ptr self);

/// A new connection generation: aborts calls of the previous one.
void next_generation(self_ptr self) {
  auto& st = self->state;
  st.control->generation = ++st.generation;
  if (st.socket) {
    st.socket->stop();
    st.socket.reset();
  }
  st.polling = false;
  st.sending = false;
  st.backing_off = false;
  st.send_failures = 0;
  st.poll_failures = 0;
}

/// Starts the WebSocket session of a channel that receives over one; its
/// reports wait in the inbox and a tick wakes the actor.
void start_socket(self_ptr self) {
  auto& st = self->state;
  if (!st.channel.account)
    return;
  auto protocol = st.provider->socket_session(st.settings, *st.channel.account,
                                              st.ctx.assistant_name);
  if (!protocol)
    return;
  auto inbox = st.inbox;
  caf::actor_addr addr = self->address();
  auto gen = st.generation;
  st.socket = socket_runner::start(std::move(protocol), [inbox, addr, gen](socket_report r) {
    r.generation = gen;
    {
      std::lock_guard<std::mutex> guard{inbox->mtx};
      inbox->items.push_back(std::move(r));
    }
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(addr))
      caf::anon_send(caf::actor_cast<channel_actor>(strong), chan_tick_atom::value,
                     int{tick_socket}, gen);
  });
}

void start_connection(self_ptr self, channel_settings settings) {
  auto& st = self->state;
  next_generation(self);
  st.settings = std::move(settings);
  st.channel.status = "connected";
  publish(self);
  poll(self);
  start_socket(self);
  pump(self);
}

void fail(self_ptr self, const std::string& message) {
  auto& st = self->state;
  next_generation(self);
  spdlog::warn("channel {}: {}", st.channel.name, message);
  append(self, channel_stream(st.channel.name),
         {event_catalog().make(event_types::channel_failed, json{{"error", message}})},
         system_meta(st), [](result<unit>) {});
}

// -- inbound ------------------------------------------------------------------

/// Stores what the routing rules keep, advances the offset with it in one
/// append, then hands triggered messages to the queue.
template <class Done>
void ingest(self_ptr self, std::vector<inbound_message> msgs, int64_t new_offset,
            std::map<std::string, std::string> chat_types, Done done) {
  auto& st = self->state;
  std::vector<inbound_message> fresh;
  for (auto& m : msgs) {
    if (st.channel.seen(m))
      continue;
    auto type = chat_types.count(m.chat_jid + "/" + m.id) ? chat_types[m.chat_jid + "/" + m.id]
                                                          : std::string{"private"};
    if (auto answer = st.provider->command_reply(m, type, st.ctx.assistant_name)) {
      enqueue_outbound(self, outbound_request{m.chat_jid, *answer, "command", 0},
                       system_meta(st), std::nullopt);
      continue;
    }
    st.channel.remember(m);
    fresh.push_back(std::move(m));
  }
  if (fresh.empty() && new_offset <= st.channel.offset) {
    done(true);
    return;
  }
  auto routed = [self, fresh, new_offset, done](std::vector<inbound_route> routes) mutable {
    auto& st = self->state;
    std::vector<draft> drafts;
    std::vector<std::pair<std::string, inbound_message>> runs;
    for (size_t i = 0; i < fresh.size() && i < routes.size(); ++i) {
      auto& r = routes[i];
      if (r.store)
        drafts.push_back(event_catalog().make(event_types::channel_message_received,
                                              inbound_event_data(fresh[i])));
      else if (!r.mapped)
        drafts.push_back(event_catalog().make(event_types::channel_chat_seen,
                                              inbound_event_data(fresh[i])));
      if (!r.group.empty())
        runs.emplace_back(r.group, fresh[i]);
      else
        spdlog::debug("channel {}: message {} not queued: {}", st.channel.name, fresh[i].id,
                      r.reason);
    }
    if (new_offset > st.channel.offset)
      drafts.push_back(event_catalog().make(event_types::channel_offset_advanced,
                                            json{{"offset", new_offset}}));
    if (drafts.empty()) {
      done(true);
      return;
    }
    append(self, channel_stream(st.channel.name), std::move(drafts), system_meta(st),
           [self, runs, fresh, done](result<unit> ok) mutable {
             auto& st = self->state;
             if (!ok) {
               spdlog::error("channel {}: cannot store inbound messages: {}", st.channel.name,
                             ok.err().message);
               for (auto& m : fresh)
                 st.channel.unremember(m);
               done(false);
               return;
             }
             for (auto& [group, m] : runs) {
               if (!st.ctx.queue)
                 continue;
               queued_message q{m.id, m.chat_jid, m.sender_name, m.text, m.at,
                                "channel:" + st.channel.name};
               self->request(st.ctx.queue, log_timeout, enqueue_atom::value, group, q,
                             system_meta(st))
                 .then([](reply&) {},
                       [self, group](caf::error& err) {
                         spdlog::warn("channel {}: cannot queue a message for {}: {}",
                                      self->state.channel.name, group, from_caf(err).message);
                       });
             }
             done(true);
           });
  };
  self->request(st.hub, log_timeout, route_atom::value, fresh)
    .then([routed](std::vector<inbound_route>& routes) mutable { routed(std::move(routes)); },
          [self, fresh, done](caf::error& err) mutable {
            spdlog::error("channel {}: cannot route inbound messages: {}",
                          self->state.channel.name, from_caf(err).message);
            for (auto& m : fresh)
              self->state.channel.unremember(m);
            done(false);
          });
}

void poll(self_ptr self) {
  auto& st = self->state;
  if (!st.provider->polls() || st.channel.status != "connected" || st.polling)
    return;
  st.polling = true;
  auto gen = st.generation;
  io_request req{st.provider->poll_call(st.settings, st.channel.offset), st.control, gen};
  self->request(st.poll_io, caf::infinite, chan_io_atom::value, std::move(req))
    .then(
      [self, gen](http_result& r) {
        auto& st = self->state;
        if (gen != st.generation)
          return;
        auto batch = st.provider->parse_poll(r);
        if (!batch) {
          st.polling = false;
          if (batch.err().code == ec::validation_failed) {
            fail(self, batch.err().message);
            return;
          }
          st.channel.last_error = batch.err().message;
          publish(self);
          self->delayed_send(self, backoff(st.poll_failures++), chan_tick_atom::value,
                             int{tick_poll}, gen);
          return;
        }
        st.poll_failures = 0;
        ingest(self, std::move(batch->messages), batch->next_offset,
               std::move(batch->chat_types), [self, gen](bool ok) {
                 auto& st = self->state;
                 if (gen != st.generation)
                   return;
                 st.polling = false;
                 if (ok)
                   poll(self);
                 else
                   self->delayed_send(self, backoff(st.poll_failures++), chan_tick_atom::value,
                                      int{tick_poll}, gen);
               });
      },
      [self, gen](caf::error&) {
        if (gen == self->state.generation)
          self->state.polling = false;
      });
}

// -- connection ---------------------------------------------------------------

std::string base_url(const channel_actor_state& st) {
  auto i = st.ctx.base_urls.find(st.channel.name);
  return i != st.ctx.base_urls.end() && !i->second.empty()
           ? i->second
           : default_provider_url(st.channel.name);
}

/// Asks the provider whether the credentials work.
template <class Then>
void check(self_ptr self, const channel_settings& s, Then then) {
  auto& st = self->state;
  io_request req{st.provider->validate_call(s), st.control, st.generation};
  req.control = std::make_shared<io_control>(); // checks are never aborted by reconnects
  self->request(st.check_io, caf::infinite, chan_io_atom::value, std::move(req))
    .then([self, then](http_result& r) mutable { then(self->state.provider->parse_validate(r)); },
          [then](caf::error& err) mutable { then(result<channel_account>{from_caf(err)}); });
}

void restore(self_ptr self) {
  auto& st = self->state;
  auto gen = st.generation;
  check(self, st.settings, [self, gen](result<channel_account> a) {
    auto& st = self->state;
    if (gen != st.generation || st.channel.status != "connecting")
      return;
    if (a) {
      st.channel.account = *a;
      start_connection(self, st.settings);
    } else if (a.err().code == ec::validation_failed) {
      fail(self, a.err().message);
    } else {
      st.channel.last_error = a.err().message;
      publish(self);
      self->delayed_send(self, backoff(st.poll_failures++), chan_tick_atom::value,
                         int{tick_restore}, gen);
    }
  });
}

/// Rebuilds from the log and resumes a connection the log says is open.
void rebuild(self_ptr self) {
  auto& st = self->state;
  for (auto stream : {channel_stream(st.channel.name), outbox_stream(st.channel.name)}) {
    auto read = st.ctx.store->read_stream(stream, 0, [&](const record& r) {
      if (auto e = event_catalog().decode(r))
        st.channel.apply(*e);
      return true;
    });
    if (!read)
      spdlog::error("channel {}: cannot rebuild: {}", st.channel.name, read.err().message);
  }
  if (st.channel.status != "connected")
    return;
  channel_settings s;
  s.config = st.channel.config;
  for (auto& key : st.provider->secret_names()) {
    if (!st.channel.sealed.contains(key))
      continue;
    auto plain = st.ctx.vault->open(owner(st), st.channel.sealed[key]);
    if (!plain) {
      st.channel.status = "error";
      st.channel.last_error = "the stored credentials cannot be read; connect again";
      return;
    }
    s.secrets[key] = *plain;
  }
  st.settings = std::move(s);
  st.channel.status = "connecting";
  restore(self);
}

caf::result<reply> connect(self_ptr self, json& body, request_meta& meta) {
  auto& st = self->state;
  auto settings = st.provider->parse_settings(body, true, base_url(st));
  if (!settings)
    return to_caf(settings.err());
  auto rp = self->make_response_promise<reply>();
  check(self, *settings, [self, rp, s = *settings, meta](result<channel_account> a) mutable {
    auto& st = self->state;
    if (!a) {
      rp.deliver(to_caf(a.err()));
      return;
    }
    if (auto ok = st.ctx.vault->forget(owner(st)); !ok) {
      rp.deliver(to_caf(ok.err()));
      return;
    }
    json sealed = json::object();
    for (auto& [key, value] : s.secrets) {
      auto box = st.ctx.vault->seal(owner(st), value);
      if (!box) {
        rp.deliver(to_caf(box.err()));
        return;
      }
      sealed[key] = std::move(*box);
    }
    json data{{"account", {{"id", a->id}, {"name", a->name}}},
              {"config", s.config},
              {"secrets", std::move(sealed)}};
    next_generation(self);
    append(self, channel_stream(st.channel.name),
           {event_catalog().make(event_types::channel_connected, std::move(data))}, meta,
           [self, rp, s](result<unit> ok) mutable {
             if (!ok) {
               rp.deliver(to_caf(ok.err()));
               return;
             }
             start_connection(self, s);
             rp.deliver(reply{200, self->state.channel.view()});
           });
  });
  return rp;
}

caf::result<reply> disconnect(self_ptr self, request_meta& meta) {
  auto& st = self->state;
  next_generation(self);
  st.settings = channel_settings{};
  if (auto ok = st.ctx.vault->forget(owner(st)); !ok)
    return to_caf(ok.err());
  if (st.channel.status == "disconnected")
    return reply{200, st.channel.view()};
  auto rp = self->make_response_promise<reply>();
  append(self, channel_stream(st.channel.name),
         {event_catalog().make(event_types::channel_disconnected, json::object())}, meta,
         [self, rp](result<unit> ok) mutable {
           if (!ok)
             rp.deliver(to_caf(ok.err()));
           else
             rp.deliver(reply{200, self->state.channel.view()});
         });
  return rp;
}

// -- sockets and the Slack Events API -----------------------------------------

/// Handles what the WebSocket session reported.
void drain_socket(self_ptr self) {
  auto& st = self->state;
  for (auto& r : st.inbox->take()) {
    if (r.generation != st.generation)
      continue;
    switch (r.kind) {
      case socket_report::inbound:
        ingest(self, std::move(r.messages), 0, {}, [](bool) {});
        break;
      case socket_report::ready:
        if (st.channel.last_error) {
          st.channel.last_error.reset();
          publish(self);
        }
        break;
      case socket_report::trouble:
        spdlog::info("channel {}: {}", st.channel.name, r.text);
        st.channel.last_error = r.text;
        publish(self);
        break;
      case socket_report::fatal:
        fail(self, r.text);
        return;
    }
  }
}

/// Lists the Slack channel names from `cursor` on, page after page, then
/// ingests `msgs` with the names known by then.
void list_channels_and_ingest(self_ptr self, std::vector<inbound_message> msgs,
                              std::string cursor, int pages) {
  auto& st = self->state;
  auto names = static_cast<const slack_provider&>(*st.provider).names();
  io_request req{slack_channels_call(st.settings.config.value("baseUrl", std::string{}),
                                     st.settings.secrets["botToken"], cursor),
                 st.control, st.generation};
  auto next = [self, msgs, names, pages](const slack_channel_page& page) mutable {
    names->remember_channels(page.names);
    if (page.ok && !page.next_cursor.empty() && pages < 100) {
      list_channels_and_ingest(self, std::move(msgs), page.next_cursor, pages + 1);
      return;
    }
    names->fill(msgs);
    ingest(self, std::move(msgs), 0, {}, [](bool) {});
  };
  self->request(st.check_io, caf::infinite, chan_io_atom::value, std::move(req))
    .then([next](http_result& r) mutable { next(slack_channel_names(r)); },
          [next](caf::error&) mutable { next({}); });
}

/// Resolves unknown Slack user names (`users.info`, cached) and channel
/// names (`conversations.list`, cached), then ingests.
void resolve_and_ingest(self_ptr self, std::vector<inbound_message> msgs) {
  auto& st = self->state;
  auto names = static_cast<const slack_provider&>(*st.provider).names();
  auto unknown = names->fill(msgs);
  if (unknown.empty()) {
    if (names->wants_channels(msgs, now_ms()))
      list_channels_and_ingest(self, std::move(msgs), {}, 1);
    else
      ingest(self, std::move(msgs), 0, {}, [](bool) {});
    return;
  }
  auto user = *unknown.begin();
  io_request req{slack_user_call(st.settings.config.value("baseUrl", std::string{}),
                                 st.settings.secrets["botToken"], user),
                 st.control, st.generation};
  auto next = [self, msgs, user, names](const std::string& name) mutable {
    names->remember(user, name.empty() ? user : name);
    resolve_and_ingest(self, std::move(msgs));
  };
  self->request(st.check_io, caf::infinite, chan_io_atom::value, std::move(req))
    .then([next](http_result& r) mutable { next(slack_user_name(r)); },
          [next](caf::error&) mutable { next({}); });
}

/// `POST /channels/slack/events`: signed Events API deliveries.
caf::result<reply> slack_events(self_ptr self, raw_request& req) {
  auto& st = self->state;
  auto header = [&](const char* key) {
    return req.headers.count(key) ? req.headers[key] : std::string{};
  };
  auto secret = st.settings.secrets.count("signingSecret") ? st.settings.secrets["signingSecret"]
                                                           : std::string{};
  if (st.channel.status != "connected" || secret.empty())
    return to_caf(error{ec::not_found, "The slack channel does not receive over the Events API."});
  auto ok = check_slack_signature(header("x-slack-request-timestamp"), header("x-slack-signature"),
                                  req.body, secret, now_ms() / 1000);
  if (!ok) {
    spdlog::warn("channel slack: refused an Events API request: {}", ok.err().message);
    return to_caf(ok.err());
  }
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return to_caf(error{ec::invalid_json, "The Events API body is not a JSON object."});
  auto type = body.value("type", std::string{});
  if (type == "url_verification") {
    reply r{200, nullptr,
            std::make_shared<const std::string>(body.value("challenge", std::string{}))};
    r.content_type = "text/plain";
    return r;
  }
  if (type != "event_callback")
    return reply{200, json{{"status", "ignored"}}};
  auto event_id = body.value("event_id", std::string{});
  if (!event_id.empty() && !st.event_ids.insert(event_id))
    return reply{200, json{{"status", "duplicate"}}};
  auto bot_user = st.channel.account ? st.channel.account->id : std::string{};
  auto m = slack_message_of(body.value("event", json{}), bot_user, st.ctx.assistant_name);
  if (!m)
    return reply{200, json{{"status", "ignored"}}};
  static_cast<const slack_provider&>(*st.provider).threads()->note(m->message.chat_jid,
                                                                  m->thread_ts);
  resolve_and_ingest(self, {std::move(m->message)});
  return reply{200, json{{"status", "received"}}};
}

caf::result<reply> webhook(self_ptr self, raw_request& req) {
  auto& st = self->state;
  if (st.channel.name == "slack")
    return slack_events(self, req);
  auto secret = [&](const char* key) {
    auto i = st.settings.secrets.find(key);
    return i == st.settings.secrets.end() ? std::string{} : i->second;
  };
  if (req.method == "GET") {
    auto q = [&](const char* key) { return req.query.count(key) ? req.query[key] : std::string{}; };
    auto token = secret("verifyToken");
    if (st.channel.status != "connected" || token.empty() || q("hub.mode") != "subscribe"
        || !constant_time_equal(q("hub.verify_token"), token))
      return to_caf(error{ec::forbidden, "The verify token does not match."});
    reply r{200, nullptr, std::make_shared<const std::string>(q("hub.challenge"))};
    r.content_type = "text/plain";
    return r;
  }
  auto app_secret = secret("appSecret");
  if (st.channel.status != "connected" || app_secret.empty())
    return to_caf(error{ec::not_found, "The " + st.channel.name + " channel is not connected."});
  auto sig = req.headers.count("x-hub-signature-256") ? req.headers["x-hub-signature-256"]
                                                      : std::string{};
  if (!valid_hub_signature(sig, req.body, app_secret))
    return to_caf(error{ec::unauthorized, "The X-Hub-Signature-256 signature does not match."});
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return to_caf(error{ec::invalid_json, "The webhook body is not a JSON object."});
  auto msgs = st.provider->parse_webhook(body);
  auto count = msgs.size();
  ingest(self, std::move(msgs), 0, {}, [](bool) {});
  return reply{200, json{{"status", "received"}, {"messages", count}}};
}

} // namespace

channel_actor::behavior_type channel_behavior(self_ptr self, std::string name,
                                              std::shared_ptr<const channel_provider> provider,
                                              channel_context ctx, channels_actor hub) {
  auto& st = self->state;
  st.channel.name = std::move(name);
  st.provider = std::move(provider);
  st.ctx = std::move(ctx);
  st.hub = std::move(hub);
  st.poll_io = self->spawn<caf::detached + caf::linked>(io_worker);
  st.send_io = self->spawn<caf::detached + caf::linked>(io_worker);
  st.check_io = self->spawn<caf::detached + caf::linked>(io_worker);
  self->attach_functor([control = st.control] { control->stopping = true; });
  rebuild(self);
  publish(self);
  return {
    [self](caf::get_atom) { return reply{200, self->state.channel.view()}; },
    [self](validate_atom, json& body) -> caf::result<reply> {
      auto& st = self->state;
      auto settings = st.provider->parse_settings(body, false, base_url(st));
      if (!settings)
        return to_caf(settings.err());
      auto rp = self->make_response_promise<reply>();
      check(self, *settings, [rp](result<channel_account> a) mutable {
        if (a)
          rp.deliver(reply{200, json{{"valid", true},
                                     {"account", {{"id", a->id}, {"name", a->name}}}}});
        else if (a.err().code == ec::validation_failed)
          rp.deliver(reply{200, json{{"valid", false}, {"message", a.err().message}}});
        else
          rp.deliver(to_caf(a.err()));
      });
      return rp;
    },
    [self](connect_atom, json& body, request_meta& meta) { return connect(self, body, meta); },
    [self](disconnect_atom, request_meta& meta) { return disconnect(self, meta); },
    [self](deliver_atom, outbound_request& req, request_meta& meta) -> caf::result<reply> {
      auto& st = self->state;
      if (!st.channel.configured && req.origin_seq == 0)
        return to_caf(invalid("chatJid", "The " + st.channel.name
                                           + " channel has never been configured."));
      auto rp = self->make_response_promise<reply>();
      enqueue_outbound(self, std::move(req), std::move(meta), rp);
      return rp;
    },
    [self](webhook_atom, raw_request& req) { return webhook(self, req); },
    [self](chan_tick_atom, int kind, uint64_t gen) {
      auto& st = self->state;
      if (gen != st.generation)
        return;
      if (kind == tick_send) {
        st.backing_off = false;
        pump(self);
      } else if (kind == tick_poll) {
        poll(self);
      } else if (kind == tick_restore && st.channel.status == "connecting") {
        restore(self);
      } else if (kind == tick_socket) {
        drain_socket(self);
      }
    },
  };
}

} // namespace pincer
