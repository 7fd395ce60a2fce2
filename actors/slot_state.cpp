#include "actors/slot_state.hpp"

#include <algorithm>

namespace pincer {

bool slot_state::acquire(const std::string& group) {
  if (active_.count(group) > 0)
    return true;
  if (waits(group))
    return false;
  if (waiting_.empty() && active_.size() < limit_) {
    active_.insert(group);
    return true;
  }
  waiting_.push_back(group);
  return false;
}

std::vector<std::string> slot_state::release(const std::string& group) {
  active_.erase(group);
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), group), waiting_.end());
  return grant();
}

std::vector<std::string> slot_state::set_limit(size_t limit) {
  limit_ = limit;
  return grant();
}

bool slot_state::waits(const std::string& group) const {
  return std::find(waiting_.begin(), waiting_.end(), group) != waiting_.end();
}

std::vector<std::string> slot_state::grant() {
  std::vector<std::string> out;
  while (!waiting_.empty() && active_.size() < limit_) {
    out.push_back(waiting_.front());
    active_.insert(waiting_.front());
    waiting_.pop_front();
  }
  return out;
}

} // namespace pincer
