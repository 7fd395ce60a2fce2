#include "actors/analytics_actor.hpp"

#include <spdlog/spdlog.h>

#include "events/time.hpp"

namespace pincer {

result<uint64_t> analytics_state::start() {
  model.clear();
  if (auto loaded = load_analytics(*store, 0, model); !loaded)
    return loaded.err();
  position = store->checkpoint(analytics_name);
  rate.sample(now_ms(), store->last_seq());
  return catch_up();
}

result<uint64_t> analytics_state::catch_up() {
  auto before = position;
  auto done = pincer::catch_up(*store, view);
  if (!done) {
    // Some chunks may be committed: start over from what is stored.
    model.clear();
    position = 0;
    if (auto loaded = load_analytics(*store, 0, model); loaded)
      position = store->checkpoint(analytics_name);
    return done.err();
  }
  if (*done > before) {
    if (auto loaded = load_analytics(*store, before, model); !loaded)
      return loaded.err();
  }
  position = *done;
  return done;
}

result<json> analytics_state::query(const query_params& params, int64_t now) const {
  if (auto v = params.find("view"); v != params.end() && v->second == "totals") {
    auto out = model.totals();
    out["events"] = json{{"lastSeq", store->last_seq()},
                         {"appendedPerSec1m", rate.per_second(now)}};
    return out;
  }
  auto q = parse_analytics_query(params, now);
  if (!q)
    return q.err();
  return model.answer(*q);
}

audit_actor::behavior_type
analytics_runner(audit_actor::stateful_pointer<analytics_state> self,
                 std::shared_ptr<event_store> store) {
  auto& st = self->state;
  st.store = std::move(store);
  if (auto ok = st.start(); !ok)
    spdlog::error("analytics: {}", ok.err().message);
  return {
    [self](notify_atom, uint64_t last_seq) {
      auto& st = self->state;
      st.rate.sample(now_ms(), last_seq);
      if (last_seq <= st.position)
        return;
      if (auto ok = st.catch_up(); !ok)
        spdlog::error("analytics: {}", ok.err().message);
    },
    [self](query_atom, query_params& params) -> caf::result<reply> {
      auto& st = self->state;
      if (auto ok = st.catch_up(); !ok)
        return to_caf(ok.err());
      auto answer = st.query(params, now_ms());
      if (!answer)
        return to_caf(answer.err());
      return reply{200, std::move(*answer)};
    },
  };
}

audit_actor spawn_analytics(caf::actor_system& sys, std::shared_ptr<event_store> store) {
  return sys.spawn(analytics_runner, std::move(store));
}

} // namespace pincer
