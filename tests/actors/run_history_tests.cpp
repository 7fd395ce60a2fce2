#include "actors/run_history.hpp"

#include <cstdlib>
#include <map>
#include <set>

#include <boost/test/unit_test.hpp>

#include "events/catalog.hpp"
#include "events/queue_events.hpp"
#include "events/time.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;

namespace {

constexpr int64_t t0 = 1767225600000; // 2026-01-01T00:00:00Z

struct history_fixture {
  std::shared_ptr<event_store> store{make_memory_store()};
  run_history_projection projection;

  void append(const std::string& type, const json& data) {
    auto group = data.is_object() ? data.value("group", std::string{"team"}) : "team";
    append_request req{group_stream(group), any_version, "system", "",
                       {event_catalog().make(type, data)}};
    BOOST_REQUIRE(store->append({req}).at(0));
  }

  void started(const std::string& id, const std::string& group, int64_t at,
               const std::string& trigger = "message") {
    append(event_types::run_started,
           {{"runId", id}, {"group", group}, {"trigger", trigger}, {"taskId", nullptr},
            {"scheduleId", trigger == "schedule" ? json("sched-1") : json()},
            {"containerName", "pincer-" + group + "-" + std::to_string(at)},
            {"image", "pincer-agent:latest"}, {"chatJid", "tg:1"},
            {"messageIds", json::array()}, {"startedAt", at}});
  }

  void finished(const std::string& id, const std::string& group, int64_t at,
                const std::string& status, const std::string& trigger = "message",
                int64_t duration = 1500) {
    append(event_types::run_finished,
           {{"runId", id}, {"group", group}, {"trigger", trigger}, {"taskId", nullptr},
            {"scheduleId", trigger == "schedule" ? json("sched-1") : json()}, {"chatJid", "tg:1"}, {"status", status},
            {"exitCode", status == "success" ? 0 : 1},
            {"error", status == "success" ? json() : json("agent failed")},
            {"startedAt", at}, {"finishedAt", at + duration}, {"durationMs", duration},
            {"outputs", 2}, {"result", "done"}});
  }

  json query(query_params params) {
    BOOST_REQUIRE(catch_up(*store, projection));
    auto q = parse_run_history_query(params);
    BOOST_REQUIRE(q);
    auto page = query_run_history(*store, *q);
    BOOST_REQUIRE(page);
    return *page;
  }

  std::vector<std::string> ids(const json& page) {
    std::vector<std::string> out;
    for (auto& item : page["items"])
      out.push_back(item["runId"].get<std::string>());
    return out;
  }

  std::map<std::string, std::string> stored_rows() {
    std::map<std::string, std::string> out;
    BOOST_REQUIRE(store->scan_projection(run_history_name, "", false, [&](auto& k, auto& v) {
      out[k] = v;
      return true;
    }));
    return out;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_run_history, history_fixture)

BOOST_AUTO_TEST_CASE(a_finished_run_completes_its_started_row) {
  started("run-1", "team", t0);
  auto running = query({})["items"];
  BOOST_REQUIRE(running.size() == 1u);
  BOOST_TEST(running[0]["status"] == "running");
  BOOST_TEST(running[0]["finishedAt"].is_null());
  BOOST_TEST(running[0]["durationMs"].is_null());
  BOOST_TEST(running[0]["outputs"] == 0);
  finished("run-1", "team", t0, "success");
  auto page = query({});
  BOOST_REQUIRE(page["items"].size() == 1u);
  BOOST_TEST(page["nextCursor"].is_null());
  json expected{{"runId", "run-1"},
                {"group", "team"},
                {"trigger", "message"},
                {"scheduleId", nullptr},
                {"containerName", "pincer-team-" + std::to_string(t0)},
                {"image", "pincer-agent:latest"},
                {"startedAt", "2026-01-01T00:00:00.000Z"},
                {"finishedAt", "2026-01-01T00:00:01.500Z"},
                {"durationMs", 1500},
                {"status", "success"},
                {"exitCode", 0},
                {"error", nullptr},
                {"outputs", 2}};
  BOOST_TEST(page["items"][0] == expected, page["items"][0].dump());
}

BOOST_AUTO_TEST_CASE(runs_are_listed_newest_first) {
  started("a", "team", t0);
  started("b", "team", t0 + 2000);
  started("c", "other", t0 + 1000);
  finished("a", "team", t0, "error");
  BOOST_TEST(ids(query({})) == (std::vector<std::string>{"b", "c", "a"}));
  BOOST_TEST(query({})["items"][2]["error"] == "agent failed");
}

BOOST_AUTO_TEST_CASE(a_dropped_batch_marks_its_last_run_dropped) {
  started("r1", "team", t0);
  finished("r1", "team", t0, "error");
  started("r2", "team", t0 + 10);
  append(event_types::run_dropped,
         {{"group", "team"}, {"messageIds", {"m1"}}, {"retryCount", 5}, {"runId", "r1"}});
  auto page = query({});
  BOOST_REQUIRE(page["items"].size() == 2u);
  BOOST_TEST(page["items"][1]["status"] == "dropped");
  BOOST_TEST(page["items"][1]["error"] == "agent failed");
  BOOST_TEST(page["items"][0]["status"] == "running");
  BOOST_TEST(ids(query({{"status", "dropped"}})) == (std::vector<std::string>{"r1"}));
  BOOST_TEST(query({{"status", "error"}})["items"].empty());
}

BOOST_AUTO_TEST_CASE(filters_select_by_group_status_and_trigger) {
  started("m1", "team", t0, "message");
  finished("m1", "team", t0, "success");
  started("s1", "team", t0 + 1, "schedule");
  finished("s1", "team", t0 + 1, "timeout", "schedule");
  started("f1", "Other", t0 + 2, "follow-up");
  BOOST_TEST(ids(query({{"group", "team"}})) == (std::vector<std::string>{"s1", "m1"}));
  BOOST_TEST(ids(query({{"group", "OTHER"}})) == (std::vector<std::string>{"f1"}));
  BOOST_TEST(query({{"group", "nobody"}})["items"].empty());
  BOOST_TEST(ids(query({{"status", "running"}})) == (std::vector<std::string>{"f1"}));
  BOOST_TEST(ids(query({{"status", "timeout"}})) == (std::vector<std::string>{"s1"}));
  BOOST_TEST(ids(query({{"trigger", "schedule"}})) == (std::vector<std::string>{"s1"}));
  BOOST_TEST(query({{"trigger", "schedule"}})["items"][0]["scheduleId"] == "sched-1");
  BOOST_TEST(ids(query({{"trigger", "message"}, {"group", "team"}, {"status", "success"}}))
             == (std::vector<std::string>{"m1"}));
  auto recent = recent_runs(*store, "TEAM", 1);
  BOOST_REQUIRE(recent);
  BOOST_TEST(recent->size() == 1u);
  BOOST_TEST((*recent)[0]["runId"] == "s1");
  BOOST_TEST(recent_runs(*store, "team")->size() == 2u);
}

BOOST_AUTO_TEST_CASE(pages_never_repeat_or_skip_a_run) {
  std::vector<std::string> all;
  for (int i = 0; i < 25; ++i) {
    auto id = "run-" + std::to_string(100 + i);
    started(id, i % 2 ? "team" : "other", t0 + (i / 3) * 1000); // three runs per start time
    if (i % 4 == 0)
      finished(id, i % 2 ? "team" : "other", t0 + (i / 3) * 1000, "success");
    all.push_back(id);
  }
  auto expected_order = ids(query({{"limit", "1000"}}));
  BOOST_TEST(expected_order.size() == 25u);
  BOOST_TEST((std::set<std::string>(all.begin(), all.end())
              == std::set<std::string>(expected_order.begin(), expected_order.end())));
  for (auto limit : {"1", "4", "7", "25"}) {
    std::vector<std::string> seen;
    query_params q{{"limit", limit}};
    for (int pages = 0; pages < 30; ++pages) {
      auto page = query(q);
      for (auto& id : ids(page))
        seen.push_back(id);
      if (page["nextCursor"].is_null())
        break;
      q["cursor"] = page["nextCursor"].get<std::string>();
      if (pages == 1)
        finished("run-101", "team", t0, "error"); // a run finishing between pages
    }
    BOOST_TEST(seen == expected_order, "limit " << limit);
  }
  // Filtered paging by group.
  std::vector<std::string> team;
  query_params q{{"limit", "2"}, {"group", "team"}};
  for (int pages = 0; pages < 30; ++pages) {
    auto page = query(q);
    for (auto& id : ids(page))
      team.push_back(id);
    if (page["nextCursor"].is_null())
      break;
    q["cursor"] = page["nextCursor"].get<std::string>();
  }
  BOOST_TEST(team.size() == 12u);
  BOOST_TEST(team == ids(query({{"group", "team"}})));
}

BOOST_AUTO_TEST_CASE(bad_query_parameters_are_validation_errors_naming_the_field) {
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
         {"limit", "0"}, {"limit", "1001"}, {"limit", "ten"}, {"status", "done"},
         {"status", ""}, {"trigger", "cron"}, {"group", "../x"}, {"group", ""},
         {"cursor", "zz"}, {"cursor", "abc"}, {"cursor", "00"}, {"cursor", "0011223344556677"}}) {
    auto q = parse_run_history_query({{key, value}});
    BOOST_REQUIRE_MESSAGE(!q, key << "=" << value);
    BOOST_TEST(q.err().code == ec::validation_failed);
    BOOST_TEST(q.err().field == key);
  }
  auto ok = parse_run_history_query({});
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok->limit == 100u);
}

BOOST_AUTO_TEST_CASE(replay_from_zero_equals_the_caught_up_projection) {
  append("namespace.created", {{"name", "team"}});
  started("a", "team", t0);
  BOOST_REQUIRE(catch_up(*store, projection));
  finished("a", "team", t0, "success");
  started("b", "other", t0 + 5);
  append(event_types::run_output, {{"runId", "b"}, {"group", "other"}, {"status", "success"}});
  BOOST_REQUIRE(catch_up(*store, projection, 2)); // small chunks, several commits
  append(event_types::run_dropped, {{"group", "team"}, {"runId", "a"}, {"retryCount", 5}});
  append(event_types::run_started, {{"group", "team"}, {"trigger", "message"}}); // no runId
  append(event_types::run_finished, json::array({1, 2}));                       // not an object
  BOOST_REQUIRE(catch_up(*store, projection));
  BOOST_TEST(store->checkpoint(run_history_name) == store->last_seq());
  auto live = stored_rows();
  std::map<std::string, std::string> rebuilt;
  BOOST_REQUIRE(replay(*store, projection, [&](const row& r) { rebuilt[r.first] = r.second; }));
  BOOST_TEST(live.size() == 2u * 3 + 1); // a: 2 parts x 2 keys, b: 1 part x 2, one drop marker
  BOOST_TEST((live == rebuilt));
  BOOST_REQUIRE(store->clear_projection(run_history_name));
  BOOST_REQUIRE(catch_up(*store, projection));
  BOOST_TEST((stored_rows() == live));
}

BOOST_AUTO_TEST_CASE(a_started_event_without_a_start_time_uses_the_append_time) {
  append(event_types::run_started,
         {{"runId", "x"}, {"group", "team"}, {"trigger", "message"}, {"containerName", "c"}});
  auto items = query({})["items"];
  BOOST_REQUIRE(items.size() == 1u);
  auto at = parse_time(items[0]["startedAt"].get<std::string>());
  BOOST_REQUIRE(at);
  BOOST_TEST(std::abs(*at - now_ms()) < 60000);
}

BOOST_AUTO_TEST_SUITE_END()
