#pragma once

#include <functional>
#include <memory>

#include "actors/interfaces.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// Reads the log after `position` and hands decoded envelopes to `sink` in
/// batches; returns false when the sink wants no more.
bool deliver_new_events(const event_store& store, uint64_t& position, const event_sink& sink);

/// Reads the log from `position` on and advances it; false stops following.
using catch_up_fn = std::function<bool(uint64_t& position)>;

/// Spawns an actor that subscribes to the log writer and calls `catch_up`
/// whenever events after its position exist (once at start too), beginning
/// after `after`; it quits when `catch_up` returns false. `detached` gives it
/// its own thread, for followers that do blocking I/O.
caf::actor spawn_follower(caf::actor_system& sys, std::shared_ptr<event_store> store,
                          event_log_actor log, uint64_t after, catch_up_fn catch_up,
                          bool detached);

/// Spawns an actor that follows the log from `after` and feeds `sink` until
/// the sink returns false or the actor is told to exit.
caf::actor spawn_tail(caf::actor_system& sys, std::shared_ptr<event_store> store,
                      event_log_actor log, uint64_t after, event_sink sink);

} // namespace pincer
