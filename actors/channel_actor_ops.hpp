#pragma once

// What the channel actor's files share: its timer kinds, the append-and-apply
// step, and the outbound queue (actors/channel_outbound.cpp).

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/channel_actor.hpp"

namespace pincer::channel_ops {

using self_ptr = channel_actor::stateful_pointer<channel_actor_state>;

constexpr auto log_timeout = std::chrono::seconds{30};

/// Timer kinds of `chan_tick_atom`.
enum tick_kind : int { tick_send = 0, tick_poll = 1, tick_restore = 2, tick_socket = 3 };

/// The wait after `failures` failures in a row: 0.5 s, doubling, at most 30 s.
inline std::chrono::milliseconds backoff(int failures) {
  auto ms = 500LL << std::min(failures, 6);
  return std::chrono::milliseconds{std::min<long long>(ms, 30000)};
}

/// Sends the channel's view to the hub.
inline void publish(self_ptr self) {
  auto& st = self->state;
  if (st.hub)
    self->send(st.hub, chan_view_atom::value, st.channel.name, st.channel.view());
}

/// Appends drafts to one of the channel's streams, applies them, then runs `then`.
template <class Then>
void append(self_ptr self, const std::string& stream, std::vector<draft> drafts,
            const request_meta& meta, Then then) {
  append_request req{stream, any_version, meta.actor, meta.request_id, std::move(drafts)};
  auto data = std::make_shared<std::vector<json>>();
  for (auto& d : req.events)
    data->push_back(d.data);
  self->request(self->state.ctx.log, log_timeout, append_atom::value, std::move(req))
    .then(
      [self, data, then](std::vector<record>& stored) mutable {
        for (size_t i = 0; i < stored.size(); ++i) {
          envelope e;
          static_cast<event_header&>(e) = stored[i];
          e.data = (*data)[i];
          self->state.channel.apply(e);
        }
        publish(self);
        then(result<unit>{unit{}});
      },
      [then](caf::error& err) mutable { then(result<unit>{from_caf(err)}); });
}

/// Who the channel's own events name as their actor.
inline request_meta system_meta(const channel_actor_state& st) {
  return request_meta{"channel:" + st.channel.name, ""};
}

/// Stores a text to send (`channel.message_queued`) unless its origin was
/// queued already, then sends. `rp`, when given, is answered with the first
/// outcome when the text is first in line, else at once as queued.
void enqueue_outbound(self_ptr self, outbound_request req, request_meta meta,
                      std::optional<caf::typed_response_promise<reply>> rp);

/// Sends the next part of the outbox, unless a send is in flight, the
/// channel waits out a back-off, or it is not connected.
void pump(self_ptr self);

} // namespace pincer::channel_ops
