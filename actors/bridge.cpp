#include "actors/bridge.hpp"

namespace pincer {

uint64_t pending_answers::add(clock_type::time_point deadline, reply_handler done) {
  auto id = ++next_id_;
  waiting_.emplace(id, entry{deadline, std::move(done)});
  return id;
}

std::optional<reply_handler> pending_answers::take(uint64_t id) {
  auto i = waiting_.find(id);
  if (i == waiting_.end())
    return std::nullopt;
  auto done = std::move(i->second.done);
  waiting_.erase(i);
  return done;
}

std::vector<reply_handler> pending_answers::take_expired(clock_type::time_point now) {
  std::vector<reply_handler> out;
  for (auto i = waiting_.begin(); i != waiting_.end();) {
    if (i->second.deadline <= now) {
      out.push_back(std::move(i->second.done));
      i = waiting_.erase(i);
    } else {
      ++i;
    }
  }
  return out;
}

namespace {

void arm_sweep(bridge_ptr self) {
  if (self->state.sweeping)
    return;
  self->state.sweeping = true;
  self->delayed_send(self, bridge_sweep_interval, tick_atom::value);
}

} // namespace

uint64_t await_answer(bridge_ptr self, std::chrono::milliseconds timeout, reply_handler done) {
  auto id = self->state.pending.add(pending_answers::clock_type::now() + timeout, std::move(done));
  arm_sweep(self);
  return id;
}

void settle(bridge_ptr self, uint64_t id, result<reply> r) {
  if (auto done = self->state.pending.take(id))
    (*done)(std::move(r));
}

caf::behavior bridge(bridge_ptr self) {
  return {
    [self](run_atom, bridge_job& job) { job(self); },
    [self](tick_atom) {
      auto& st = self->state;
      st.sweeping = false;
      for (auto& done : st.pending.take_expired(pending_answers::clock_type::now()))
        done(error{ec::timeout, "the request timed out"});
      if (!st.pending.empty())
        arm_sweep(self);
    },
  };
}

} // namespace pincer
