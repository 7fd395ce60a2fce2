#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "actors/interfaces.hpp"
#include "actors/schedule_state.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// The wall clock schedules read, in epoch milliseconds; tests inject one.
using wall_clock = std::function<int64_t()>;

/// What every schedule actor shares.
struct schedule_context {
  std::shared_ptr<event_store> store;
  event_log_actor log;
  queue_actor queue;  ///< Where fired runs go; a null handle logs each run as failed.
  wall_clock clock;
  /// Longest wait of a timer (a schedule's or the scheduler's): a longer
  /// one re-arms, so a changed wall clock is noticed.
  std::chrono::milliseconds max_timer{std::chrono::hours{1}};
  /// How long before its slot a dormant schedule gets its actor (which then
  /// fires on its own timer).
  std::chrono::milliseconds wake_ahead{std::chrono::minutes{1}};
};

/// State of one schedule actor.
struct schedule_actor_state {
  schedule_state schedule;
  std::shared_ptr<const schedule_context> ctx;
  scheduler_actor parent;
  int64_t armed = 0; ///< The slot its timer is armed for; 0: none.

  static inline const char* name = "schedule";
};

/// The behaviour of one schedule. `initial` is its current state (null for
/// a schedule about to be created). Its own timer (`tick` with the slot) is
/// armed for its next slot whenever that changes; a tick fires the slot if
/// it is still the next one, and a fire that could not be stored is retried
/// for the same slot. Every change reaches the scheduler, as an answer or as
/// `changed`.
schedule_actor::behavior_type
schedule_behavior(schedule_actor::stateful_pointer<schedule_actor_state> self,
                  std::shared_ptr<const schedule_context> ctx, scheduler_actor parent,
                  schedule_snapshot initial);

} // namespace pincer
