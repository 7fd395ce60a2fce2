// Scheduled runs through the real queue in the test agent container (Podman).

#include <chrono>
#include <thread>

#include "events/time.hpp"
#include "tests/e2e/fixture.hpp"
#include "tests/e2e/podman_support.hpp"

using namespace pincer::e2e;
using namespace std::chrono_literals;

namespace {

const std::string schedules = api + "/container/schedules";

struct schedule_runs_fixture : server_fixture {
  schedule_runs_fixture() : server_fixture(deferred_start{}) {
    image = ensure_test_agent_image();
    start_server();
  }

  ~schedule_runs_fixture() {
    shell("podman ps -a --format '{{.Names}}' | grep '^pincer-sr' | xargs -r podman rm -f -t 0");
  }

  void start_server() {
    start({"--runtime", "podman", "--agent-image", image});
  }

  /// A `once` schedule `ms` from now with a prompt for the test agent.
  json create_once(const std::string& group, const std::string& prompt, int64_t ms) {
    auto when = pincer::format_time(pincer::now_ms() + ms);
    auto res = client->post(schedules, json{{"group", group},
                                            {"prompt", prompt},
                                            {"schedule", {{"type", "once"}, {"value", when}}},
                                            {"containerConfig", {{"timeoutSecs", 60}}}});
    BOOST_TEST_REQUIRE(res.status == 201, res.body);
    return res.json_body();
  }

  /// Events of a type in streams starting with `prefix` whose data names the schedule.
  json events_of(const std::string& prefix, const std::string& type, const std::string& id) {
    json out = json::array();
    auto items = get_ok(api + "/events?after=0&limit=1000&stream=" + prefix).at("items");
    for (auto& e : items)
      if (e.at("type") == type && e.at("data").value("scheduleId", e.at("data").value("id", ""))
                                    == id)
        out.push_back(e);
    return out;
  }

  /// Polls until `pred` holds; fails after `limit`.
  void wait_until(const std::function<bool()>& pred, const std::string& what,
                  std::chrono::milliseconds limit = 60s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > until)
        BOOST_FAIL("timed out waiting for " << what << "\nserver output:\n" << server->output());
      std::this_thread::sleep_for(50ms);
    }
  }

  std::string image;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_schedule_runs, schedule_runs_fixture)

BOOST_AUTO_TEST_CASE(a_scheduled_run_executes_in_the_agent_container_and_fills_its_logs) {
  create("sr-run", json{{"chatJids", {"tg:7"}}});
  // `once`: the test agent exits after its answer (the queue keeps a task's
  // container waiting for follow-ups otherwise).
  auto s = create_once("sr-run", "echo: hi\nonce", 1500);
  auto id = s.at("id").get<std::string>();
  auto logs = json::array();
  wait_until(
    [&] {
      logs = get_ok(schedules + "/" + id + "/logs").at("items");
      return !logs.empty();
    },
    "a log entry");
  BOOST_TEST_REQUIRE(logs.size() == 1u);
  BOOST_TEST(logs[0]["status"] == "success", logs.dump());
  BOOST_TEST(logs[0]["result"] == "hi");
  BOOST_TEST(logs[0]["scheduleId"] == id);
  BOOST_TEST(logs[0]["durationMs"].is_number());
  auto started = events_of("group/sr-run", "run.started", id);
  BOOST_TEST_REQUIRE(started.size() == 1u);
  BOOST_TEST(started[0]["data"]["trigger"] == "schedule");
  auto v = get_ok(schedules + "/" + id);
  BOOST_TEST(v["status"] == "completed");
  BOOST_TEST(v["lastResult"] == "hi");
  // The log survives a restart.
  restart();
  BOOST_TEST(get_ok(schedules + "/" + id + "/logs").at("items") == logs);
}

BOOST_AUTO_TEST_CASE(a_kill_between_fire_and_run_never_runs_the_slot_twice) {
  create("sr-kill");
  auto s = create_once("sr-kill", "sleep: 1000\necho: once", 1000);
  auto id = s.at("id").get<std::string>();
  wait_until([&] { return !events_of("schedule/" + id, "schedule.fired", id).empty(); },
             "the slot to fire", 20s);
  server->kill9();
  start_server();
  // Give a second run every chance to happen.
  std::this_thread::sleep_for(6s);
  BOOST_TEST(events_of("schedule/" + id, "schedule.fired", id).size() == 1u);
  BOOST_TEST(events_of("group/sr-kill", "run.started", id).size() <= 1u);
  BOOST_TEST(get_ok(schedules + "/" + id)["status"] == "completed");
}

BOOST_AUTO_TEST_SUITE_END()
