#include "actors/bridge.hpp"

#include <chrono>
#include <vector>

#include "tests/actors/fixture.hpp"

using namespace pincer;
using namespace pincer::test;
using namespace std::chrono_literals;

namespace {

/// Keeps the promise of its one `get` and answers it on `close`.
struct holder_state {
  caf::typed_response_promise<reply> promise;
  static inline const char* name = "holder";
};

caf::behavior holder(caf::stateful_actor<holder_state>* self) {
  return {
    [self](caf::get_atom) -> caf::result<reply> {
      self->state.promise = self->make_response_promise<reply>();
      return self->state.promise;
    },
    [self](close_atom) { self->state.promise.deliver(reply{200, json{{"late", true}}}); },
    [](ready_atom) -> reply { return reply{200, json{{"now", true}}}; },
  };
}

struct bridge_fixture : deterministic_fixture {
  caf::actor bridge_actor = track(sys.spawn(pincer::bridge));
  caf::actor target = track(sys.spawn(holder));
  std::vector<result<reply>> answers;

  /// Asks `target` from the bridge with `timeout`; answers land in `answers`.
  template <class... Ts>
  void ask_target(std::chrono::milliseconds timeout, Ts... xs) {
    caf::anon_send(bridge_actor, run_atom::value,
                   bridge_job{[this, timeout, xs...](bridge_ptr b) {
                     ask_from(b, timeout, target, [this](result<reply> r) {
                       answers.push_back(std::move(r));
                     }, xs...);
                   }});
    run();
  }

  /// Fires the bridge's sweep (and any other timer) and runs what follows.
  void sweep() {
    sched.trigger_timeouts();
    run();
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(actors_bridge)

BOOST_AUTO_TEST_CASE(pending_answers_expire_by_deadline_and_settle_once) {
  pending_answers p;
  auto t0 = pending_answers::clock_type::now();
  std::vector<int> called;
  auto first = p.add(t0 + 1s, [&](result<reply>) { called.push_back(1); });
  auto second = p.add(t0 + 2s, [&](result<reply>) { called.push_back(2); });
  BOOST_TEST(p.take_expired(t0).empty());
  auto expired = p.take_expired(t0 + 1500ms);
  BOOST_TEST_REQUIRE(expired.size() == 1u);
  expired[0](reply{});
  BOOST_TEST(called == std::vector<int>{1});
  BOOST_TEST(!p.take(first), "an expired answer cannot be settled any more");
  auto done = p.take(second);
  BOOST_TEST_REQUIRE(done.has_value());
  BOOST_TEST(!p.take(second), "an answer is settled once");
  BOOST_TEST(p.empty());
}

BOOST_FIXTURE_TEST_CASE(an_answer_in_time_reaches_the_caller_once, bridge_fixture) {
  ask_target(10s, ready_atom::value);
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST_REQUIRE(static_cast<bool>(answers[0]));
  BOOST_TEST(answers[0]->body == json({{"now", true}}));
  sweep();
  BOOST_TEST(answers.size() == 1u, "the sweep must not answer again");
}

BOOST_FIXTURE_TEST_CASE(a_request_without_an_answer_times_out_and_a_late_answer_is_dropped,
                        bridge_fixture) {
  ask_target(0ms, caf::get_atom::value);
  BOOST_TEST(answers.empty(), "nothing may answer before the sweep");
  sweep();
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST_REQUIRE(!static_cast<bool>(answers[0]));
  BOOST_TEST(to_string(answers[0].err().code) == to_string(ec::timeout));
  caf::anon_send(target, close_atom::value);
  run();
  BOOST_TEST(answers.size() == 1u, "the late answer must be dropped");
}

BOOST_AUTO_TEST_SUITE_END()
