#include <boost/test/unit_test.hpp>

#include "actors/slot_state.hpp"

using namespace pincer;

using names = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(actors_slot_state)

BOOST_AUTO_TEST_CASE(slots_are_granted_up_to_the_limit_and_then_in_arrival_order) {
  slot_state s{2};
  BOOST_TEST(s.acquire("a"));
  BOOST_TEST(s.acquire("b"));
  BOOST_TEST(!s.acquire("c"));
  BOOST_TEST(!s.acquire("d"));
  BOOST_TEST(!s.acquire("c"));
  BOOST_TEST(s.waiting() == 2u);
  BOOST_TEST((s.release("a") == names{"c"}));
  BOOST_TEST((s.release("b") == names{"d"}));
  BOOST_TEST(s.active() == 2u);
}

BOOST_AUTO_TEST_CASE(a_group_that_just_finished_queues_behind_waiting_groups) {
  slot_state s{1};
  BOOST_TEST(s.acquire("busy"));
  BOOST_TEST(!s.acquire("patient"));
  BOOST_TEST((s.release("busy") == names{"patient"}));
  BOOST_TEST(!s.acquire("busy"));
  BOOST_TEST(s.holds("patient"));
  BOOST_TEST(s.waits("busy"));
}

BOOST_AUTO_TEST_CASE(raising_the_limit_starts_waiting_groups_and_lowering_it_takes_nothing) {
  slot_state s{1};
  s.acquire("a");
  s.acquire("b");
  s.acquire("c");
  BOOST_TEST((s.set_limit(3) == names{"b", "c"}));
  BOOST_TEST(s.set_limit(1).empty());
  BOOST_TEST(s.active() == 3u);
  BOOST_TEST(!s.acquire("d"));
  BOOST_TEST(s.release("a").empty());
  BOOST_TEST(s.release("b").empty());
  BOOST_TEST((s.release("c") == names{"d"}));
}

BOOST_AUTO_TEST_CASE(a_waiting_group_can_withdraw) {
  slot_state s{1};
  s.acquire("a");
  s.acquire("b");
  BOOST_TEST(s.release("b").empty());
  BOOST_TEST(s.release("a").empty());
  BOOST_TEST(s.active() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
