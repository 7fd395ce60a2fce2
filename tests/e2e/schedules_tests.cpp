#include <chrono>
#include <thread>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;

namespace {

const std::string schedules = api + "/container/schedules";

struct schedules_fixture : server_fixture {
  schedules_fixture() {
    create("reporting", json{{"chatJids", {"tg:100"}}});
  }

  json body(json patch = json::object()) {
    json b{{"name", "Daily Summary"},
           {"group", "reporting"},
           {"prompt", "Summarize the key events from today"},
           {"schedule", {{"type", "cron"}, {"value", "0 9 * * 1-5"}}},
           {"containerConfig", {{"timeoutSecs", 600}}},
           {"contextMode", "isolated"},
           {"enabled", true}};
    for (auto& [k, v] : patch.items())
      b[k] = v;
    return b;
  }

  json create_schedule(json patch = json::object()) {
    auto res = client->post(schedules, body(std::move(patch)));
    BOOST_TEST_REQUIRE(res.status == 201, res.status << " " << res.body);
    return res.json_body();
  }

  /// Events whose stream starts with `prefix`, oldest first.
  json events(const std::string& prefix) {
    return get_ok(api + "/events?limit=1000&stream=" + prefix).at("items");
  }

  /// Waits up to `ms` for an event of a type in streams with `prefix`.
  bool wait_event(const std::string& prefix, const std::string& type, int ms = 5000) {
    for (int waited = 0; waited < ms; waited += 50) {
      for (auto& e : events(prefix))
        if (e.value("type", "") == type)
          return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return false;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_schedules, schedules_fixture)

BOOST_AUTO_TEST_CASE(bad_schedules_are_rejected_naming_the_field_and_change_nothing) {
  auto before = snapshot();
  struct bad_case {
    json patch;
    std::string field;
  };
  std::vector<bad_case> cases = {
    {{{"schedule", {{"type", "cron"}, {"value", "0 0 31 2 *"}}}}, "schedule.value"},
    {{{"schedule", {{"type", "cron"}, {"value", "every day"}}}}, "schedule.value"},
    {{{"timezone", "Nowhere/Town"}}, "timezone"},
    {{{"schedule", {{"type", "once"}, {"value", "2020-01-01T00:00:00Z"}}}}, "schedule.value"},
    {{{"group", "nobody"}}, "group"},
    {{{"schedule", {{"type", "interval"}, {"value", 999}}}}, "schedule.value"},
    {{{"schedule", {{"type", "interval"}, {"value", "fast"}}}}, "schedule.value"},
    {{{"prompt", 42}}, "prompt"},
    {{{"enabled", "true"}}, "enabled"},
    {{{"contextMode", 1}}, "contextMode"},
    {{{"containerConfig", {{"timeoutSecs", "600"}}}}, "containerConfig.timeoutSecs"},
    {{{"schedule", json::array()}}, "schedule"},
  };
  for (auto& c : cases) {
    auto res = client->post(schedules, body(c.patch));
    check_error(res, 400, "validation_failed", c.field);
  }
  BOOST_TEST(get_ok(schedules).empty());
  BOOST_TEST(snapshot() == before);
}

BOOST_AUTO_TEST_CASE(a_schedule_is_created_listed_read_updated_and_deleted) {
  auto s = create_schedule(json{{"timezone", "America/New_York"}});
  auto id = s.at("id").get<std::string>();
  for (auto key : {"id", "name", "group", "prompt", "schedule", "timezone", "chatJid",
                   "containerConfig", "contextMode", "enabled", "status", "nextRun", "lastRun",
                   "lastResult", "createdAt", "updatedAt"})
    BOOST_TEST(s.contains(key), key);
  BOOST_TEST(s["status"] == "active");
  BOOST_TEST(s["chatJid"] == "tg:100");
  auto hour = s["nextRun"].get<std::string>().substr(11);
  BOOST_TEST((hour == "13:00:00.000Z" || hour == "14:00:00.000Z"), hour);
  BOOST_TEST(get_ok(schedules).size() == 1u);
  BOOST_TEST(get_ok(schedules + "?group=reporting").size() == 1u);
  BOOST_TEST(get_ok(schedules + "?group=other").empty());
  BOOST_TEST(get_ok(schedules + "/" + id) == s);
  auto put = client->put(schedules + "/" + id, json{{"enabled", false}, {"prompt", "changed"}});
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  BOOST_TEST(put.json_body()["status"] == "paused");
  BOOST_TEST(put.json_body()["nextRun"].is_null());
  BOOST_TEST(put.json_body()["prompt"] == "changed");
  auto bad = client->put(schedules + "/" + id, json{{"schedule", {{"type", "cron"}, {"value", "x"}}}});
  check_error(bad, 400, "validation_failed", "schedule.value");
  auto logs = get_ok(schedules + "/" + id + "/logs");
  BOOST_TEST(logs["items"].empty());
  BOOST_TEST(logs["nextCursor"].is_null());
  BOOST_TEST(client->del(schedules + "/" + id).status == 204);
  check_error(client->get(schedules + "/" + id), 404, "not_found");
  check_error(client->get(schedules + "/" + id + "/logs"), 404, "not_found");
  check_error(client->del(schedules + "/" + id), 404, "not_found");
  auto types = json::array();
  for (auto& e : events("schedule/" + id))
    types.push_back(e["type"]);
  BOOST_TEST(types == (json{"schedule.created", "schedule.updated", "schedule.deleted"}));
  bool audited = false;
  for (auto& item : audit_items(50))
    audited = audited || item["action"] == "schedule.deleted";
  BOOST_TEST(audited);
}

BOOST_AUTO_TEST_CASE(a_one_second_interval_fires_and_queues_its_task) {
  auto s = create_schedule(json{{"schedule", {{"type", "interval"}, {"value", 1000}}}});
  auto id = s.at("id").get<std::string>();
  BOOST_TEST(wait_event("schedule/" + id, "schedule.fired"));
  BOOST_TEST(wait_event("group/reporting", "task.queued"));
  bool mine = false;
  for (auto& e : events("group/reporting"))
    if (e["type"] == "task.queued")
      mine = mine || e["data"].dump().find(id) != std::string::npos;
  BOOST_TEST(mine);
  auto v = get_ok(schedules + "/" + id);
  BOOST_TEST(!v["lastRun"].is_null());
}

BOOST_AUTO_TEST_CASE(a_namespace_with_schedules_is_deleted_only_with_force) {
  auto s = create_schedule();
  auto id = s.at("id").get<std::string>();
  check_error(client->del(namespaces + "/reporting"), 409, "conflict");
  BOOST_TEST(get_ok(namespaces).size() == 1u);
  BOOST_TEST(client->del(namespaces + "/reporting?force=true").status == 204);
  check_error(client->get(schedules + "/" + id), 404, "not_found");
  BOOST_TEST(wait_event("schedule/" + id, "schedule.deleted"));
}

BOOST_AUTO_TEST_CASE(schedules_survive_a_restart) {
  auto s = create_schedule(json{{"schedule", {{"type", "once"}, {"value", "2099-01-01T09:00:00"}}},
                                {"timezone", "Europe/Berlin"}});
  auto id = s.at("id").get<std::string>();
  BOOST_TEST(s["nextRun"] == "2099-01-01T08:00:00.000Z");
  restart();
  BOOST_TEST(get_ok(schedules + "/" + id) == s);
}

BOOST_AUTO_TEST_SUITE_END()
