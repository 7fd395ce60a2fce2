#include "actors/event_log.hpp"

namespace pincer {

std::vector<result<std::vector<record>>> event_log_state::commit() {
  commit_scheduled = false;
  if (waiting.empty())
    return {};
  ++commits;
  auto results = store->append(waiting);
  waiting.clear();
  return results;
}

namespace {

void run_commit(event_log_actor::stateful_pointer<event_log_state> self) {
  auto& st = self->state;
  auto promises = std::move(st.promises);
  st.promises.clear();
  auto results = st.commit();
  bool appended = false;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i]) {
      appended = appended || !results[i]->empty();
      promises[i].deliver(std::move(*results[i]));
    } else {
      promises[i].deliver(to_caf(results[i].err()));
    }
  }
  if (appended)
    for (auto& s : st.subscribers)
      caf::anon_send(s, notify_atom::value, st.store->last_seq());
}

} // namespace

event_log_actor::behavior_type
event_log(event_log_actor::stateful_pointer<event_log_state> self,
          std::shared_ptr<event_store> store) {
  self->state.store = std::move(store);
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove(subs.begin(), subs.end(), msg.source), subs.end());
  });
  // An exit can overtake the commit an append scheduled: the appends taken
  // in are stored and answered before the writer stops, since their senders
  // wait for that answer and could not stop otherwise.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    run_commit(self);
    self->quit(msg.reason);
  });
  return {
    [self](append_atom, append_request& req) -> caf::result<std::vector<record>> {
      auto& st = self->state;
      st.waiting.push_back(std::move(req));
      st.promises.push_back(self->make_response_promise<std::vector<record>>());
      if (!st.commit_scheduled) {
        st.commit_scheduled = true;
        self->send(self, commit_atom::value);
      }
      return st.promises.back();
    },
    [self](subscribe_atom, caf::actor& subscriber) {
      self->monitor(subscriber);
      self->state.subscribers.push_back(std::move(subscriber));
    },
    [self](commit_atom) { run_commit(self); },
    [self](caf::flush_atom) -> uint64_t {
      run_commit(self);
      return self->state.store->last_seq();
    },
  };
}

event_log_actor spawn_event_log(caf::actor_system& sys, std::shared_ptr<event_store> store,
                                bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(event_log, std::move(store));
  return sys.spawn(event_log, std::move(store));
}

} // namespace pincer
