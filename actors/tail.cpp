#include "actors/tail.hpp"

#include "events/catalog.hpp"

namespace pincer {

bool deliver_new_events(const event_store& store, uint64_t& position, const event_sink& sink) {
  constexpr size_t batch_size = 256;
  std::vector<json> batch;
  bool wanted = true;
  auto flush = [&] {
    wanted = sink(batch);
    batch.clear();
    return wanted;
  };
  auto read = store.read_all(position, [&](const record& r) {
    auto e = event_catalog().decode(r);
    batch.push_back(e ? to_json(*e) : to_json(r));
    position = r.seq;
    return batch.size() < batch_size || flush();
  });
  if (wanted && !batch.empty())
    flush();
  return wanted && static_cast<bool>(read);
}

caf::actor spawn_follower(caf::actor_system& sys, std::shared_ptr<event_store> store,
                          event_log_actor log, uint64_t after, catch_up_fn catch_up,
                          bool detached) {
  auto behavior = [store, log, after, catch_up](caf::event_based_actor* self) {
    auto position = std::make_shared<uint64_t>(after);
    self->send(caf::actor_cast<caf::actor>(log), subscribe_atom::value,
               caf::actor_cast<caf::actor>(self));
    self->send(self, notify_atom::value, store->last_seq());
    return caf::behavior{
      [=](notify_atom, uint64_t last_seq) {
        if (last_seq > *position && !catch_up(*position))
          self->quit();
      },
    };
  };
  if (detached)
    return sys.spawn<caf::detached>(behavior);
  return sys.spawn(behavior);
}

caf::actor spawn_tail(caf::actor_system& sys, std::shared_ptr<event_store> store,
                      event_log_actor log, uint64_t after, event_sink sink) {
  auto feed = [store, sink](uint64_t& position) {
    return deliver_new_events(*store, position, sink);
  };
  return spawn_follower(sys, store, std::move(log), after, feed, false);
}

} // namespace pincer
