#pragma once

#include <cstddef>
#include <deque>
#include <set>
#include <string>
#include <vector>

namespace pincer {

/// The global container limit: which groups hold a slot and which wait,
/// in arrival order. A group that releases a slot and asks again queues
/// behind the groups already waiting, so no group jumps the line.
class slot_state {
public:
  explicit slot_state(size_t limit = 5) : limit_(limit) {}

  /// Asks for a slot; true when granted at once.
  bool acquire(const std::string& group);

  /// Gives a slot back (or withdraws a waiting request); returns the groups
  /// that get a slot now.
  std::vector<std::string> release(const std::string& group);

  /// Changes the limit; returns the groups that get a slot now. Lowering it
  /// takes no slot away.
  std::vector<std::string> set_limit(size_t limit);

  size_t limit() const { return limit_; }
  size_t active() const { return active_.size(); }
  size_t waiting() const { return waiting_.size(); }
  bool holds(const std::string& group) const { return active_.count(group) > 0; }
  bool waits(const std::string& group) const;

private:
  std::vector<std::string> grant();

  size_t limit_;
  std::set<std::string> active_;
  std::deque<std::string> waiting_;
};

} // namespace pincer
