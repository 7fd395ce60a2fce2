#include <boost/test/unit_test.hpp>

#include "actors/schedule_timetable.hpp"

using namespace pincer;

using due_list = std::vector<std::pair<std::string, int64_t>>;

BOOST_AUTO_TEST_SUITE(actors_schedule_timetable)

BOOST_AUTO_TEST_CASE(due_schedules_are_taken_out_earliest_first_and_later_ones_stay) {
  schedule_timetable t;
  t.set("c", 300);
  t.set("a", 100);
  t.set("b", 200);
  t.set("a2", 100);
  BOOST_TEST(t.size() == 4u);
  BOOST_TEST(t.earliest() == 100);
  BOOST_TEST(t.take_due(99).empty());
  BOOST_TEST((t.take_due(200) == due_list{{"a", 100}, {"a2", 100}, {"b", 200}}));
  BOOST_TEST(t.size() == 1u);
  BOOST_TEST(t.at("a") == 0);
  BOOST_TEST(t.at("c") == 300);
  BOOST_TEST(t.earliest() == 300);
  BOOST_TEST(t.take_due(200).empty());
  BOOST_TEST((t.take_due(1000) == due_list{{"c", 300}}));
  BOOST_TEST(t.earliest() == 0);
}

BOOST_AUTO_TEST_CASE(filing_a_schedule_again_moves_it_and_zero_takes_it_out) {
  schedule_timetable t;
  t.set("a", 100);
  t.set("b", 200);
  t.set("a", 500); // a later slot: the old time no longer counts
  BOOST_TEST(t.size() == 2u);
  BOOST_TEST(t.earliest() == 200);
  BOOST_TEST((t.take_due(400) == due_list{{"b", 200}}));
  t.set("a", 50); // an earlier slot
  BOOST_TEST(t.earliest() == 50);
  t.set("a", 0);
  BOOST_TEST(t.size() == 0u);
  BOOST_TEST(t.take_due(1000).empty());
  t.set("b", 10);
  t.erase("b");
  t.erase("missing");
  BOOST_TEST(t.earliest() == 0);
}

BOOST_AUTO_TEST_CASE(only_active_schedules_with_a_slot_are_due) {
  schedule_data d;
  d.id = "s";
  d.next_run = 1000;
  BOOST_TEST(due_time(d) == 1000);
  auto paused = d;
  paused.enabled = false;
  auto completed = d;
  completed.completed = true;
  auto deleted = d;
  deleted.deleted = true;
  auto none = d;
  none.next_run = 0;
  for (auto& x : {paused, completed, deleted, none})
    BOOST_TEST(due_time(x) == 0);
  schedule_timetable t;
  t.set(d);
  BOOST_TEST(t.at("s") == 1000);
  t.set(paused);
  BOOST_TEST(t.at("s") == 0);
  BOOST_TEST(t.size() == 0u);
}

BOOST_AUTO_TEST_CASE(one_wake_up_is_armed_for_the_earliest_slot_within_the_longest_wait) {
  schedule_timetable t;
  const int64_t hour = 3600000;
  BOOST_TEST(!t.wake_at(0, 1000, hour).has_value()); // nothing filed
  t.set("a", 5000);
  BOOST_TEST((t.wake_at(0, 1000, hour) == 5000));
  BOOST_TEST(!t.wake_at(5000, 1000, hour).has_value()); // already armed for it
  BOOST_TEST(!t.wake_at(4000, 1000, hour).has_value()); // an earlier one comes first
  BOOST_TEST((t.wake_at(6000, 1000, hour) == 5000));    // armed too late
  t.set("b", 100);                                      // due already
  BOOST_TEST((t.wake_at(5000, 1000, hour) == 1000));    // at once, not in the past
  BOOST_TEST(!t.wake_at(900, 1000, hour).has_value());  // a wake-up at once is pending
  schedule_timetable far;
  far.set("x", 10 * hour);
  BOOST_TEST((far.wake_at(0, 0, hour) == hour)); // a long wait is cut short
  BOOST_TEST(!far.wake_at(hour, 10, hour).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
