#include "actors/channel_actor_ops.hpp"

#include <spdlog/spdlog.h>

#include "events/catalog.hpp"
#include "events/channel_events.hpp"
#include "events/time.hpp"

namespace pincer::channel_ops {

namespace {

reply queued_reply(const std::string& id, const std::string& jid, const std::string& channel,
                   const std::string& status, size_t parts) {
  return reply{202, json{{"id", id}, {"chatJid", jid}, {"channel", channel},
                         {"status", status}, {"parts", parts}}};
}

/// Answers a `POST /channels/messages` that waited for the first outcome.
void answer_waiting(self_ptr self, const outbox_item& item, const std::string& status,
                    const std::string& problem = {}) {
  auto& st = self->state;
  auto i = st.waiting.find(item.id);
  if (i == st.waiting.end())
    return;
  auto r = queued_reply(item.id, item.chat_jid, st.channel.name, status, item.parts.size());
  if (!problem.empty())
    r.body["error"] = problem;
  i->second.deliver(std::move(r));
  st.waiting.erase(i);
}

void on_sent(self_ptr self, const outbox_item& item, size_t part, const http_result& r) {
  auto& st = self->state;
  auto outcome = st.provider->parse_send(r);
  auto gen = st.generation;
  switch (outcome.kind) {
    case send_outcome::sent: {
      st.send_failures = 0;
      json data{{"id", item.id}, {"part", part}, {"providerMessageId", outcome.provider_id}};
      append(self, outbox_stream(st.channel.name),
             {event_catalog().make(event_types::channel_message_part_sent, std::move(data))},
             system_meta(st), [self, item, gen](result<unit> ok) {
               auto& st = self->state;
               if (gen != st.generation)
                 return;
               st.sending = false;
               if (!ok) {
                 st.backing_off = true;
                 self->delayed_send(self, backoff(st.send_failures++), chan_tick_atom::value,
                                    int{tick_send}, gen);
                 return;
               }
               auto still = std::any_of(st.channel.outbox.begin(), st.channel.outbox.end(),
                                        [&](const outbox_item& x) { return x.id == item.id; });
               if (!still)
                 answer_waiting(self, item, "sent");
               pump(self);
             });
      return;
    }
    case send_outcome::retry_after:
    case send_outcome::transient: {
      st.sending = false;
      st.backing_off = true;
      st.channel.last_error = outcome.message;
      answer_waiting(self, item, "queued");
      auto wait = outcome.kind == send_outcome::retry_after
                    ? std::chrono::milliseconds{outcome.retry_after_ms}
                    : backoff(st.send_failures++);
      spdlog::info("channel {}: retrying a send in {} ms: {}", st.channel.name, wait.count(),
                   outcome.message);
      publish(self);
      self->delayed_send(self, wait, chan_tick_atom::value, int{tick_send}, gen);
      return;
    }
    case send_outcome::permanent: {
      st.channel.last_error = outcome.message;
      json data{{"id", item.id}, {"part", part}, {"error", outcome.message}};
      append(self, outbox_stream(st.channel.name),
             {event_catalog().make(event_types::channel_message_failed, std::move(data))},
             system_meta(st), [self, item, gen, problem = outcome.message](result<unit>) {
               auto& st = self->state;
               if (gen != st.generation)
                 return;
               st.sending = false;
               answer_waiting(self, item, "failed", problem);
               pump(self);
             });
      return;
    }
  }
}

} // namespace

void enqueue_outbound(self_ptr self, outbound_request req, request_meta meta,
                      std::optional<caf::typed_response_promise<reply>> rp) {
  auto& st = self->state;
  if (req.origin_seq > 0 && req.origin_seq <= st.channel.max_origin) {
    if (rp)
      rp->deliver(reply{202, json{{"status", "duplicate"}}});
    return;
  }
  auto id = make_uuid();
  auto parts = split_text(req.text, text_limit(st.channel.name)).size();
  json data{{"id", id}, {"chatJid", req.chat_jid}, {"text", req.text}, {"parts", parts},
            {"source", req.source}, {"originSeq", req.origin_seq}};
  append(self, outbox_stream(st.channel.name),
         {event_catalog().make(event_types::channel_message_queued, std::move(data))}, meta,
         [self, rp, id, jid = req.chat_jid, parts](result<unit> ok) mutable {
           auto& st = self->state;
           if (!ok) {
             if (rp)
               rp->deliver(to_caf(ok.err()));
             return;
           }
           bool first = st.channel.outbox.size() == 1 && !st.sending && !st.backing_off;
           if (rp) {
             if (st.channel.status == "connected" && first)
               st.waiting.emplace(id, *rp);
             else
               rp->deliver(queued_reply(id, jid, st.channel.name, "queued", parts));
           }
           pump(self);
         });
}

void pump(self_ptr self) {
  auto& st = self->state;
  if (st.channel.status != "connected" || st.sending || st.backing_off
      || st.channel.outbox.empty())
    return;
  auto item = st.channel.outbox.front();
  auto route = route_jid(item.chat_jid);
  if (!route || item.next >= item.parts.size()) {
    st.sending = true;
    on_sent(self, item, item.next, http_result{400, {}, "{}", {}});
    return;
  }
  auto gen = st.generation;
  auto key = st.provider->rate_route(*route);
  if (auto wait = st.buckets.wait_ms(key, now_ms()); wait > 0) {
    // The provider said this route's bucket is empty until its reset.
    st.backing_off = true;
    answer_waiting(self, item, "queued");
    self->delayed_send(self, std::chrono::milliseconds{wait}, chan_tick_atom::value,
                       int{tick_send}, gen);
    return;
  }
  st.sending = true;
  auto part = item.next;
  io_request req{st.provider->send_call(st.settings, *route, item.parts[part]), st.control, gen};
  self->request(st.send_io, caf::infinite, chan_io_atom::value, std::move(req))
    .then(
      [self, gen, item, part, key](http_result& r) {
        if (gen != self->state.generation)
          return;
        self->state.buckets.update(key, r, now_ms());
        on_sent(self, item, part, r);
      },
      [self, gen](caf::error&) {
        if (gen == self->state.generation)
          self->state.sending = false;
      });
}

} // namespace pincer::channel_ops
