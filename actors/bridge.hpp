#pragma once

// The bridge actors through which plain threads (HTTP handlers, tools) make
// requests without blocking. A bridge keeps the answers it waits for with
// their deadlines and checks them on one periodic sweep, instead of giving
// every request a timer of CAF's clock (two cross-thread wake-ups each).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include <caf/all.hpp>

#include "actors/core.hpp"
#include "actors/interfaces.hpp"

namespace pincer {

/// Answers waited for, each with its deadline. No actor needed to test it.
class pending_answers {
public:
  using clock_type = std::chrono::steady_clock;

  /// Starts waiting; the id settles the answer with `take`.
  uint64_t add(clock_type::time_point deadline, reply_handler done);

  /// The handler of `id` if it still waits, removed from the waiting.
  std::optional<reply_handler> take(uint64_t id);

  /// Removes and returns the handlers whose deadline is `now` or earlier.
  std::vector<reply_handler> take_expired(clock_type::time_point now);

  bool empty() const {
    return waiting_.empty();
  }

private:
  struct entry {
    clock_type::time_point deadline;
    reply_handler done;
  };
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, entry> waiting_;
};

/// How often a bridge with waiting answers looks for expired ones: a
/// request's timeout fires up to this much late.
constexpr std::chrono::milliseconds bridge_sweep_interval{100};

struct bridge_state {
  pending_answers pending;
  bool sweeping = false;

  static inline const char* name = "bridge";
};

using bridge_ptr = caf::stateful_actor<bridge_state>*;

/// A piece of work a bridge runs as `(run_atom, bridge_job)`, with the
/// bridge as `self`.
using bridge_job = std::function<void(bridge_ptr)>;

/// The behaviour of a bridge: runs jobs; answers `ec::timeout` to the
/// requests whose deadline passed.
caf::behavior bridge(bridge_ptr self);

/// Sends `xs` to `target` from the bridge; `done` gets the answer, or
/// `ec::timeout` once `timeout` has passed without one.
template <class Handle, class... Ts>
void ask_from(bridge_ptr self, std::chrono::milliseconds timeout, const Handle& target,
              reply_handler done, Ts... xs);

/// Registers `done` with its deadline and arms the sweep; returns the id
/// that `settle` takes.
uint64_t await_answer(bridge_ptr self, std::chrono::milliseconds timeout, reply_handler done);

/// Hands `r` to the handler of `id`, unless its deadline passed already.
void settle(bridge_ptr self, uint64_t id, result<reply> r);

template <class Handle, class... Ts>
void ask_from(bridge_ptr self, std::chrono::milliseconds timeout, const Handle& target,
              reply_handler done, Ts... xs) {
  auto id = await_answer(self, timeout, std::move(done));
  self->request(target, caf::infinite, std::move(xs)...)
    .then([self, id](reply& r) { settle(self, id, std::move(r)); },
          [self, id](caf::error& err) { settle(self, id, from_caf(err)); });
}

} // namespace pincer

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::bridge_job)
