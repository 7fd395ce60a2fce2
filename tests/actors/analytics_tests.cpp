#include <boost/test/unit_test.hpp>

#include "actors/analytics.hpp"
#include "events/time.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;

namespace {

constexpr int64_t hour = 3600 * 1000;

/// 2026-03-15T00:00:00.000Z
const int64_t day0 = *parse_time("2026-03-15T00:00:00.000Z");

/// Builds records by hand (with chosen times) and folds them like the runner.
struct analytics_fixture {
  analytics_projection view;
  analytics_model model;
  uint64_t seq = 0;

  void add(const std::string& stream, const std::string& type, int64_t at, json data) {
    record r;
    r.seq = ++seq;
    r.stream = stream;
    r.type = type;
    r.at = at;
    r.data = data.dump();
    std::vector<row> rows;
    view.project(r, rows);
    for (auto& x : rows)
      model.fold(x.second);
  }

  void run(const std::string& group, int64_t at, const std::string& status, int64_t ms) {
    add("group/" + group, "run.finished", at,
        json{{"group", group}, {"status", status}, {"durationMs", ms}});
  }

  json answer(query_params q) {
    auto parsed = parse_analytics_query(q, day0 + 10 * 24 * hour);
    BOOST_REQUIRE(parsed);
    return model.answer(*parsed);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_analytics, analytics_fixture)

BOOST_AUTO_TEST_CASE(a_hand_computed_history_gives_the_expected_totals_series_and_groups) {
  // Day 0: alpha 3 runs (100 success, 300 error, 200 success), beta 1 timeout (1000).
  run("alpha", day0 + 1 * hour, "success", 100);
  run("alpha", day0 + 1 * hour + 5, "error", 300);
  run("alpha", day0 + 5 * hour, "success", 200);
  run("beta", day0 + 7 * hour, "timeout", 1000);
  // Day 1: beta 1 success (50); a dropped batch of alpha.
  run("beta", day0 + 26 * hour, "success", 50);
  add("group/alpha", "run.dropped", day0 + 27 * hour, json{{"group", "alpha"}});
  // Channel traffic: 2 in on telegram (day 0), 1 out on telegram (part 0),
  // a second part that must not count, 1 in on whatsapp (day 1).
  add("channel/telegram", "channel.message_received", day0 + 2 * hour, json{{"id", "1"}});
  add("channel/telegram", "channel.message_received", day0 + 3 * hour, json{{"id", "2"}});
  add("outbox/telegram", "channel.message_part_sent", day0 + 3 * hour, json{{"part", 0}});
  add("outbox/telegram", "channel.message_part_sent", day0 + 3 * hour, json{{"part", 1}});
  add("channel/whatsapp", "channel.message_received", day0 + 30 * hour, json{{"id", "3"}});
  // A schedule of beta fires twice (once per day); one of an unknown schedule.
  add("schedule/s1", "schedule.created", day0, json{{"id", "s1"}, {"group", "beta"}});
  add("schedule/s1", "schedule.fired", day0 + 6 * hour, json{{"id", "s1"}});
  add("schedule/s1", "schedule.fired", day0 + 30 * hour, json{{"id", "s1"}});
  // Outside the window (day 2) and an event analytics ignores.
  run("alpha", day0 + 50 * hour, "error", 5);
  add("namespace/alpha", "namespace.updated", day0 + hour, json::object());

  auto a = answer({{"from", "2026-03-15T00:00:00.000Z"}, {"to", "2026-03-17T00:00:00.000Z"}});
  BOOST_TEST(a["from"] == "2026-03-15T00:00:00.000Z");
  BOOST_TEST(a["to"] == "2026-03-17T00:00:00.000Z");
  BOOST_TEST(a["bucket"] == "day");
  auto& t = a["totals"];
  BOOST_TEST(t["runs"] == 5);
  BOOST_TEST(t["success"] == 3);
  BOOST_TEST(t["error"] == 1);
  BOOST_TEST(t["timeout"] == 1);
  BOOST_TEST(t["dropped"] == 1);
  // Durations 50 100 200 300 1000: nearest rank p50 = 3rd = 200, p95 = 5th = 1000.
  BOOST_TEST(t["p50DurationMs"] == 200);
  BOOST_TEST(t["p95DurationMs"] == 1000);
  BOOST_TEST(t["messagesIn"] == 3);
  BOOST_TEST(t["messagesOut"] == 1);
  BOOST_TEST(t["schedulesFired"] == 2);
  BOOST_REQUIRE(a["series"].size() == 2u);
  BOOST_TEST(a["series"][0] == (json{{"start", "2026-03-15T00:00:00.000Z"}, {"runs", 4},
                                     {"errors", 2}, {"messagesIn", 2}, {"messagesOut", 1}}));
  BOOST_TEST(a["series"][1] == (json{{"start", "2026-03-16T00:00:00.000Z"}, {"runs", 1},
                                     {"errors", 0}, {"messagesIn", 1}, {"messagesOut", 0}}));
  BOOST_REQUIRE(a["byGroup"].size() == 2u);
  BOOST_TEST(a["byGroup"][0] == (json{{"group", "alpha"}, {"runs", 3}, {"errors", 1},
                                      {"p50DurationMs", 200}}));
  // beta: 50 and 1000, nearest rank p50 = 1st = 50.
  BOOST_TEST(a["byGroup"][1] == (json{{"group", "beta"}, {"runs", 2}, {"errors", 1},
                                      {"p50DurationMs", 50}}));
  BOOST_TEST(a["byChannel"] == (json::array({{{"channel", "telegram"}, {"messagesIn", 2},
                                              {"messagesOut", 1}},
                                             {{"channel", "whatsapp"}, {"messagesIn", 1},
                                              {"messagesOut", 0}}})));
}

BOOST_AUTO_TEST_CASE(hour_buckets_and_a_group_filter_narrow_the_answer) {
  run("alpha", day0 + 1 * hour + 10, "success", 100);
  run("Beta", day0 + 1 * hour + 20, "error", 40);
  run("beta", day0 + 3 * hour, "success", 60);
  add("schedule/s1", "schedule.created", day0, json{{"id", "s1"}, {"group", "beta"}});
  add("schedule/s1", "schedule.fired", day0 + 3 * hour, json{{"id", "s1"}});
  auto a = answer({{"from", "2026-03-15T00:30:00Z"}, {"to", "2026-03-15T03:10:00Z"},
                   {"bucket", "hour"}, {"group", "BETA"}});
  // from rounds down to 00:00, to rounds up to 04:00: four hourly buckets.
  BOOST_TEST(a["from"] == "2026-03-15T00:00:00.000Z");
  BOOST_TEST(a["to"] == "2026-03-15T04:00:00.000Z");
  BOOST_REQUIRE(a["series"].size() == 4u);
  BOOST_TEST(a["series"][1]["runs"] == 1);
  BOOST_TEST(a["series"][1]["errors"] == 1);
  BOOST_TEST(a["series"][3]["runs"] == 1);
  BOOST_TEST(a["totals"]["runs"] == 2);
  BOOST_TEST(a["totals"]["schedulesFired"] == 1);
  BOOST_TEST(a["totals"]["p95DurationMs"] == 60);
  BOOST_TEST(a["byGroup"].size() == 2u); // `Beta` and `beta` as written
}

BOOST_AUTO_TEST_CASE(an_empty_window_has_zero_counts_and_null_percentiles) {
  auto a = answer({});
  BOOST_TEST(a["series"].size() == 7u); // now is midnight here: exactly 7 days
  BOOST_TEST(a["totals"]["runs"] == 0);
  BOOST_TEST(a["totals"]["p50DurationMs"].is_null());
  BOOST_TEST(a["byGroup"].empty());
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_validation_errors_naming_the_field) {
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
         {"bucket", "week"}, {"from", "yesterday"}, {"to", "x"}}) {
    auto q = parse_analytics_query({{key, value}}, day0);
    BOOST_REQUIRE(!q);
    BOOST_TEST(q.err().code == ec::validation_failed);
    BOOST_TEST(q.err().field == key);
  }
  auto reversed = parse_analytics_query(
    {{"from", "2026-03-16T00:00:00Z"}, {"to", "2026-03-15T00:00:00Z"}}, day0);
  BOOST_TEST(!reversed);
  auto too_many = parse_analytics_query(
    {{"from", "2000-01-01T00:00:00Z"}, {"to", "2026-01-01T00:00:00Z"}, {"bucket", "hour"}}, day0);
  BOOST_TEST(!too_many);
}

BOOST_AUTO_TEST_CASE(the_nearest_rank_percentile_is_exact) {
  std::vector<int64_t> v{5, 1, 4, 2, 3};
  BOOST_TEST(*percentile(v, 50) == 3);
  BOOST_TEST(*percentile(v, 95) == 5);
  BOOST_TEST(*percentile(v, 0) == 1);
  std::vector<int64_t> none;
  BOOST_TEST(!percentile(none, 50));
}

BOOST_AUTO_TEST_CASE(totals_count_every_run_and_channel_message_of_all_time) {
  run("alpha", day0, "success", 1);
  run("alpha", day0 - 400 * 24 * hour, "error", 1);
  add("channel/telegram", "channel.message_received", day0, json{{"id", "1"}});
  auto t = model.totals();
  BOOST_TEST(t["runs"]["total"] == 2);
  BOOST_TEST(t["runs"]["error"] == 1);
  BOOST_TEST(t["channels"]["telegram"]["messagesIn"] == 1);
}

BOOST_AUTO_TEST_SUITE_END()
