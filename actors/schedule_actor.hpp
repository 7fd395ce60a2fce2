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
  /// Longest single timer: a longer wait re-arms, so a changed wall clock
  /// is noticed.
  std::chrono::milliseconds max_timer{std::chrono::hours{1}};
};

/// State of one schedule actor.
struct schedule_actor_state {
  schedule_state schedule;
  std::shared_ptr<const schedule_context> ctx;
  scheduler_actor parent;
  uint64_t generation = 0; ///< Of the armed timer; older ticks are ignored.

  static inline const char* name = "schedule";
};

/// The behaviour of one schedule. `initial` is its state rebuilt from its
/// stream (null for a schedule about to be created); at start an interval
/// skips the slots missed while the server was down, while cron and once
/// schedules fire a missed slot once.
schedule_actor::behavior_type
schedule_behavior(schedule_actor::stateful_pointer<schedule_actor_state> self,
                  std::shared_ptr<const schedule_context> ctx, scheduler_actor parent,
                  schedule_snapshot initial);

} // namespace pincer
