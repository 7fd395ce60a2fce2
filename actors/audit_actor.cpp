#include "actors/audit_actor.hpp"

#include <spdlog/spdlog.h>

#include "actors/run_history.hpp"

namespace pincer {

result<uint64_t> projection_runner_state::catch_up() {
  auto done = pincer::catch_up(*store, *view);
  if (done)
    position = *done;
  return done;
}

audit_actor::behavior_type
projection_runner(audit_actor::stateful_pointer<projection_runner_state> self,
                  std::shared_ptr<event_store> store, std::shared_ptr<const projection> view,
                  projection_query query) {
  auto& st = self->state;
  st.store = std::move(store);
  st.view = std::move(view);
  st.query = std::move(query);
  if (auto ok = st.catch_up(); !ok)
    spdlog::error("{}: {}", st.view->name(), ok.err().message);
  return {
    [self](notify_atom, uint64_t last_seq) {
      auto& st = self->state;
      if (last_seq <= st.position)
        return;
      if (auto ok = st.catch_up(); !ok)
        spdlog::error("{}: {}", st.view->name(), ok.err().message);
    },
    [self](query_atom, query_params& params) -> caf::result<reply> {
      auto& st = self->state;
      if (auto ok = st.catch_up(); !ok)
        return to_caf(ok.err());
      auto page = st.query(*st.store, params);
      if (!page)
        return to_caf(page.err());
      return reply{200, std::move(*page)};
    },
  };
}

audit_actor spawn_audit_log(caf::actor_system& sys, std::shared_ptr<event_store> store) {
  return sys.spawn(projection_runner, std::move(store), std::make_shared<audit_projection>(),
                   [](const event_store& s, const query_params& params) -> result<json> {
                     auto q = parse_audit_query(params);
                     if (!q)
                       return q.err();
                     return query_audit_log(s, *q);
                   });
}

audit_actor spawn_run_history(caf::actor_system& sys, std::shared_ptr<event_store> store) {
  return sys.spawn(projection_runner, std::move(store),
                   std::make_shared<run_history_projection>(),
                   [](const event_store& s, const query_params& params) -> result<json> {
                     auto q = parse_run_history_query(params);
                     if (!q)
                       return q.err();
                     return query_run_history(s, *q);
                   });
}

} // namespace pincer
