#pragma once

#include <memory>

#include "actors/interfaces.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// Reads the log after `position` and hands decoded envelopes to `sink` in
/// batches; returns false when the sink wants no more.
bool deliver_new_events(const event_store& store, uint64_t& position, const event_sink& sink);

/// Spawns an actor that follows the log from `after` and feeds `sink` until
/// the sink returns false or the actor is told to exit.
caf::actor spawn_tail(caf::actor_system& sys, std::shared_ptr<event_store> store,
                      event_log_actor log, uint64_t after, event_sink sink);

} // namespace pincer
