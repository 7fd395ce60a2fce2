#include "actors/scheduler.hpp"

#include <map>

#include "tests/actors/scheduler_fixture.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

constexpr int64_t hour = 3600000;

/// How many tasks the queue saw per schedule id.
std::map<std::string, int> per_id(const queue_record& q) {
  std::map<std::string, int> out;
  for (auto& [group, task] : q.tasks)
    ++out[task.task_id];
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_scheduler_wake, scheduler_fixture)

BOOST_AUTO_TEST_CASE(a_restart_spawns_no_schedule_actor_until_its_slot_is_near_or_a_command) {
  auto soon = create_ok(json{{"type", "interval"}, {"value", 60000}})["id"].get<std::string>();
  auto later = create_ok(json{{"type", "interval"}, {"value", hour}})["id"].get<std::string>();
  create_ok(json{{"type", "cron"}, {"value", "0 7 * * *"}});
  caf::anon_send_exit(scheduler, caf::exit_reason::user_shutdown);
  run();
  scheduler = spawn_scheduler();
  auto idle = sys.registry().running();
  auto all = ask<reply>(scheduler, list_atom::value, query_params{});
  BOOST_TEST_REQUIRE(static_cast<bool>(all));
  BOOST_TEST(all->body.size() == 3u);
  BOOST_TEST(get_ok(later)["status"] == "active");
  BOOST_TEST(sys.registry().running() == idle); // reads need no schedule actor
  advance(60000);
  BOOST_TEST_REQUIRE(queued->tasks.size() == 1u);
  BOOST_TEST(queued->tasks[0].second.task_id == soon);
  BOOST_TEST(sys.registry().running() == idle + 1);
  auto paused = update(later, json{{"enabled", false}});
  BOOST_TEST_REQUIRE(static_cast<bool>(paused));
  BOOST_TEST(paused->body["status"] == "paused");
  BOOST_TEST(sys.registry().running() == idle + 2);
  advance(60000);
  BOOST_TEST(queued->tasks.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_schedule_actor_fires_on_its_own_timer) {
  // Stored as the scheduler would store it, then left to its own actor: no
  // scheduler and no timetable take part.
  json body{{"group", "reporting"},
            {"prompt", "p"},
            {"schedule", {{"type", "interval"}, {"value", 5000}}}};
  auto object = validate_new_schedule(body, "UTC");
  BOOST_TEST_REQUIRE(static_cast<bool>(object));
  auto drafts = schedule_state{}.decide_create("s-own", *object, *clock);
  BOOST_TEST_REQUIRE(static_cast<bool>(drafts));
  BOOST_TEST_REQUIRE(static_cast<bool>(store->append(
    {append_request{schedule_stream("s-own"), 0, "key:test", "", std::move(*drafts)}})[0]));
  auto loaded = load_schedules(*store);
  BOOST_TEST_REQUIRE(loaded->size() == 1u);
  auto parent = track(sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](changed_atom, schedule_snapshot&) {}};
  }));
  track(sys.spawn(schedule_behavior, context(), caf::actor_cast<scheduler_actor>(parent),
                  loaded->front()));
  run();
  advance(4999);
  BOOST_TEST(queued->tasks.empty());
  advance(1);
  BOOST_TEST_REQUIRE(queued->tasks.size() == 1u);
  BOOST_TEST(queued->tasks[0].second.task_id == "s-own");
  advance(5000);
  BOOST_TEST(queued->tasks.size() == 2u);
  BOOST_TEST((types("s-own") == std::vector<std::string>{"schedule.created", "schedule.fired",
                                                          "schedule.fired"}));
}

BOOST_AUTO_TEST_CASE(schedules_due_at_the_same_instant_each_fire_once_per_slot) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(create_ok(json{{"type", "interval"}, {"value", 1000}})["id"].get<std::string>());
  advance(999);
  BOOST_TEST(queued->tasks.empty());
  advance(1);
  BOOST_TEST(queued->tasks.size() == 5u);
  advance(1000);
  advance(1000);
  auto seen = per_id(*queued);
  BOOST_TEST(seen.size() == 5u);
  for (auto& id : ids)
    BOOST_TEST(seen[id] == 3, id);
}

BOOST_AUTO_TEST_CASE(a_slot_moved_earlier_or_later_fires_at_its_new_time_only) {
  auto id = create_ok(json{{"type", "interval"}, {"value", hour}})["id"].get<std::string>();
  auto other = create_ok(json{{"type", "interval"}, {"value", 10000}})["id"].get<std::string>();
  // Earlier than the wake-up armed for the first slot.
  auto every = [](int64_t ms) {
    return json{{"schedule", {{"type", "interval"}, {"value", ms}}}};
  };
  BOOST_TEST_REQUIRE(static_cast<bool>(update(id, every(5000))));
  // Later than the wake-up armed for it.
  BOOST_TEST_REQUIRE(static_cast<bool>(update(other, every(20000))));
  advance(5000);
  BOOST_TEST((per_id(*queued) == std::map<std::string, int>{{id, 1}}));
  advance(5000);
  BOOST_TEST((per_id(*queued) == std::map<std::string, int>{{id, 2}}));
  advance(5000);
  BOOST_TEST((per_id(*queued) == std::map<std::string, int>{{id, 3}}));
  advance(5000);
  BOOST_TEST((per_id(*queued) == std::map<std::string, int>{{id, 4}, {other, 1}}));
}

BOOST_AUTO_TEST_CASE(a_long_wait_is_cut_short_so_a_wall_clock_jump_is_noticed) {
  auto id = create_ok(json{{"type", "cron"}, {"value", "0 7 * * *"}})["id"].get<std::string>();
  BOOST_TEST(get_ok(id)["nextRun"] == "2026-03-16T07:00:00.000Z");
  *clock += 21 * hour; // the wall clock jumps past the slot; timers do not notice
  run();
  BOOST_TEST(queued->tasks.empty());
  advance(hour);
  BOOST_TEST_REQUIRE(queued->tasks.size() == 1u);
  BOOST_TEST(get_ok(id)["nextRun"] == "2026-03-17T07:00:00.000Z");
}

BOOST_AUTO_TEST_SUITE_END()
