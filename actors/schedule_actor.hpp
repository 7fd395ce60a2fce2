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
  /// Longest wait of the scheduler's wake-up: a longer one re-arms, so a
  /// changed wall clock is noticed.
  std::chrono::milliseconds max_timer{std::chrono::hours{1}};
};

/// State of one schedule actor.
struct schedule_actor_state {
  schedule_state schedule;
  std::shared_ptr<const schedule_context> ctx;
  scheduler_actor parent;

  static inline const char* name = "schedule";
};

/// The behaviour of one schedule. `initial` is its current state (null for
/// a schedule about to be created). It has no timer of its own: the
/// scheduler's timetable sends `tick` with the slot that is due, which it
/// fires unless it changed since (then the scheduler files the newer state);
/// only a fire that could not be stored is retried on a timer. Every change
/// reaches the scheduler, as an answer or as `changed`.
schedule_actor::behavior_type
schedule_behavior(schedule_actor::stateful_pointer<schedule_actor_state> self,
                  std::shared_ptr<const schedule_context> ctx, scheduler_actor parent,
                  schedule_snapshot initial);

} // namespace pincer
