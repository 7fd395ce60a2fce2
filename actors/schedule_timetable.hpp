#pragma once

// The scheduler's timetable: the next slot of every active schedule in time
// order, so that one wake-up (armed for the earliest slot) serves every
// schedule and a schedule's actor is needed only once a slot is due. Pure
// code: no actors, no clock.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/schedule_state.hpp"

namespace pincer {

/// When a schedule fires next: its `nextRun`, or 0 when it fires no more
/// (paused, completed, deleted, or no slot).
int64_t due_time(const schedule_data& d);

/// Schedule ids ordered by the time of their next slot (ids of the same
/// time in the order they were filed); an id is at most once in it.
class schedule_timetable {
public:
  /// Makes room for `n` schedules.
  void reserve(size_t n) {
    by_id_.reserve(n);
  }

  /// Files `id` at `at` (replacing its earlier time); 0 takes it out.
  void set(const std::string& id, int64_t at);

  /// Files a schedule at `due_time(d)`.
  void set(const schedule_data& d) {
    set(d.id, due_time(d));
  }

  /// Takes `id` out; nothing when it is not in.
  void erase(const std::string& id);

  /// Takes out every schedule whose slot is at or before `now`, as
  /// (id, slot) pairs, earliest first.
  std::vector<std::pair<std::string, int64_t>> take_due(int64_t now);

  /// The time `id` is filed at; 0 when it is not in.
  int64_t at(const std::string& id) const;

  /// The earliest slot; 0 when empty.
  int64_t earliest() const;

  size_t size() const {
    return by_id_.size();
  }

  /// The time to arm a new wake-up for, given the wake-up already armed
  /// for `armed` (0: none): the earliest slot, but not before `now` and not
  /// after `now + max_wait` (a long wait is cut short, so a changed wall
  /// clock is noticed). Nothing when the timetable is empty or the armed
  /// wake-up comes in time.
  std::optional<int64_t> wake_at(int64_t armed, int64_t now, int64_t max_wait) const;

private:
  using slots = std::multimap<int64_t, std::string>;
  slots by_time_;
  /// Into `by_time_`, keyed by the id its node holds.
  std::unordered_map<std::string_view, slots::iterator> by_id_;
};

} // namespace pincer
