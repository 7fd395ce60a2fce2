#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "actors/interfaces.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// State of the event-log writer: appends wait here until the next commit,
/// which writes them all with one store call (one WriteBatch, one sync).
struct event_log_state {
  using promise = caf::typed_response_promise<std::vector<record>>;

  std::shared_ptr<event_store> store;
  std::vector<append_request> waiting;
  std::vector<promise> promises;
  std::vector<caf::actor> subscribers;
  bool commit_scheduled = false;
  uint64_t commits = 0; ///< Number of store writes so far (batches).

  /// Writes every waiting append; returns one result per append.
  std::vector<result<std::vector<record>>> commit();

  static inline const char* name = "event-log";
};

/// The writer's behaviour.
event_log_actor::behavior_type
event_log(event_log_actor::stateful_pointer<event_log_state> self,
          std::shared_ptr<event_store> store);

/// Spawns the writer; `detached` gives it its own thread (production), so
/// syncs never block the scheduler's workers.
event_log_actor spawn_event_log(caf::actor_system& sys, std::shared_ptr<event_store> store,
                                bool detached);

} // namespace pincer
