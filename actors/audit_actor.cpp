#include "actors/audit_actor.hpp"

#include <spdlog/spdlog.h>

namespace pincer {

result<uint64_t> audit_actor_state::catch_up() {
  auto done = pincer::catch_up(*store, projection);
  if (done)
    position = *done;
  return done;
}

audit_actor::behavior_type audit_log(audit_actor::stateful_pointer<audit_actor_state> self,
                                     std::shared_ptr<event_store> store) {
  self->state.store = std::move(store);
  if (auto ok = self->state.catch_up(); !ok)
    spdlog::error("audit log: {}", ok.err().message);
  return {
    [self](notify_atom, uint64_t last_seq) {
      if (last_seq <= self->state.position)
        return;
      if (auto ok = self->state.catch_up(); !ok)
        spdlog::error("audit log: {}", ok.err().message);
    },
    [self](query_atom, query_params& params) -> caf::result<reply> {
      auto q = parse_audit_query(params);
      if (!q)
        return to_caf(q.err());
      if (auto ok = self->state.catch_up(); !ok)
        return to_caf(ok.err());
      auto page = query_audit_log(*self->state.store, *q);
      if (!page)
        return to_caf(page.err());
      return reply{200, std::move(*page)};
    },
  };
}

} // namespace pincer
