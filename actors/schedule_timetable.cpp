#include "actors/schedule_timetable.hpp"

#include <algorithm>

namespace pincer {

int64_t due_time(const schedule_data& d) {
  if (d.deleted || !d.enabled || d.completed)
    return 0;
  return d.next_run;
}

void schedule_timetable::set(const std::string& id, int64_t at) {
  auto i = by_id_.find(id);
  if (i != by_id_.end()) {
    auto node = i->second;
    if (node->first == at)
      return;
    by_id_.erase(i);
    if (at == 0) {
      by_time_.erase(node);
      return;
    }
    // Moves the node (and the id it holds) to its new time.
    auto moved = by_time_.extract(node);
    moved.key() = at;
    node = by_time_.insert(std::move(moved));
    by_id_.emplace(node->second, node);
    return;
  }
  if (at == 0)
    return;
  auto node = by_time_.emplace(at, id);
  by_id_.emplace(node->second, node);
}

void schedule_timetable::erase(const std::string& id) {
  set(id, 0);
}

std::vector<std::pair<std::string, int64_t>> schedule_timetable::take_due(int64_t now) {
  std::vector<std::pair<std::string, int64_t>> out;
  auto end = by_time_.upper_bound(now);
  for (auto i = by_time_.begin(); i != end; ++i) {
    by_id_.erase(i->second);
    out.emplace_back(std::move(i->second), i->first);
  }
  by_time_.erase(by_time_.begin(), end);
  return out;
}

int64_t schedule_timetable::at(const std::string& id) const {
  auto i = by_id_.find(id);
  return i == by_id_.end() ? 0 : i->second->first;
}

int64_t schedule_timetable::earliest() const {
  return by_time_.empty() ? 0 : by_time_.begin()->first;
}

std::optional<int64_t> schedule_timetable::wake_at(int64_t armed, int64_t now,
                                                   int64_t max_wait) const {
  if (by_time_.empty())
    return std::nullopt;
  auto target = std::clamp(earliest(), now, now + max_wait);
  if (armed != 0 && armed <= target)
    return std::nullopt;
  return target;
}

} // namespace pincer
