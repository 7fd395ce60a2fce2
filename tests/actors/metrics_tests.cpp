#include <boost/test/unit_test.hpp>

#include "actors/metrics.hpp"
#include "actors/monitoring.hpp"
#include "tests/support/prometheus.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

metrics_snapshot sample_snapshot() {
  metrics_snapshot s;
  s.uptime_secs = 42;
  s.queue = json{{"active", 2},          {"idleWaiting", 1},     {"waitingGroups", 3},
                 {"pendingMessages", 4}, {"pendingTasks", 5},    {"maxConcurrent", 6}};
  s.channels = json::array({{{"name", "telegram"}, {"status", "connected"}, {"messagesIn", 7},
                             {"messagesOut", 8}},
                            {{"name", "whatsapp"}, {"status", "disconnected"},
                             {"messagesIn", 1}, {"messagesOut", 0}}});
  s.proxy = json{{"running", true}, {"requestsServed", 9}};
  s.totals = json{{"runs", {{"total", 10}, {"success", 6}, {"error", 2}, {"timeout", 2},
                            {"dropped", 1}}}};
  s.last_seq = 1042;
  s.appended_per_sec = 2.5;
  s.http.requests = 11;
  s.http.errors_5xx = 1;
  s.http.p50_ms = 1.25;
  s.http.p99_ms = 20;
  s.http.sum_ms = 55.5;
  return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(actors_metrics)

BOOST_AUTO_TEST_CASE(the_json_answer_has_the_documented_shape) {
  auto m = metrics_json(sample_snapshot());
  BOOST_TEST(m["uptimeSecs"] == 42);
  BOOST_TEST(m["containers"] == (json{{"active", 2}, {"idleWaiting", 1}, {"maxConcurrent", 6}}));
  BOOST_TEST(m["queue"]
             == (json{{"waitingGroups", 3}, {"pendingMessages", 4}, {"pendingTasks", 5}}));
  BOOST_TEST(m["runs"] == (json{{"total", 10}, {"success", 6}, {"error", 2}, {"timeout", 2},
                                {"dropped", 1}}));
  BOOST_TEST(m["events"] == (json{{"lastSeq", 1042}, {"appendedPerSec1m", 2.5}}));
  BOOST_TEST(m["http"]
             == (json{{"requests", 11}, {"errors5xx", 1}, {"p50Ms", 1.25}, {"p99Ms", 20.0}}));
  BOOST_TEST(m["channels"] == (json{{"connected", 1}, {"messagesIn", 8}, {"messagesOut", 8}}));
  BOOST_TEST(m["credentialProxy"] == (json{{"running", true}, {"requestsServed", 9}}));
}

BOOST_AUTO_TEST_CASE(missing_parts_read_as_zeros) {
  auto m = metrics_json(metrics_snapshot{});
  BOOST_TEST(m["runs"]["total"] == 0);
  BOOST_TEST(m["channels"]["connected"] == 0);
  BOOST_TEST(m["credentialProxy"]["running"] == false);
}

BOOST_AUTO_TEST_CASE(the_prometheus_text_parses_with_one_type_per_metric_and_no_duplicates) {
  auto text = metrics_prometheus(sample_snapshot());
  auto scrape = parse_prometheus(text);
  BOOST_TEST(scrape.problems.empty(), "problems: " << json(scrape.problems).dump());
  for (auto& [name, type] : scrape.types)
    BOOST_TEST(name.rfind("pincer_", 0) == 0u, name);
  BOOST_TEST(scrape.series.at("pincer_runs_total{status=\"success\"}") == 6);
  BOOST_TEST(scrape.series.at("pincer_channel_messages_in_total{channel=\"telegram\"}") == 7);
  BOOST_TEST(scrape.series.at("pincer_http_request_duration_milliseconds{quantile=\"0.99\"}")
             == 20);
  BOOST_TEST(scrape.series.at("pincer_http_request_duration_milliseconds_count") == 11);
  BOOST_TEST(scrape.series.at("pincer_events_appended_per_second") == 2.5);
  BOOST_TEST(scrape.series.at("pincer_credential_proxy_running") == 1);
  BOOST_TEST(scrape.types.at("pincer_http_requests_total") == "counter");
}

BOOST_AUTO_TEST_CASE(the_prometheus_reader_catches_broken_expositions) {
  BOOST_TEST(!parse_prometheus("pincer_x 1\n").problems.empty()); // no TYPE
  BOOST_TEST(!parse_prometheus("# TYPE pincer_x gauge\n# TYPE pincer_x gauge\npincer_x 1\n")
                .problems.empty());
  BOOST_TEST(!parse_prometheus("# TYPE pincer_x gauge\npincer_x 1\npincer_x 2\n").problems.empty());
  BOOST_TEST(!parse_prometheus("# TYPE pincer_x gauge\npincer_x one\n").problems.empty());
  BOOST_TEST(parse_prometheus("# HELP pincer_x X.\n# TYPE pincer_x gauge\npincer_x 1\n")
               .problems.empty());
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped) {
  auto s = sample_snapshot();
  s.channels = json::array({{{"name", "we\"ird\\name"}, {"messagesIn", 1}}});
  auto scrape = parse_prometheus(metrics_prometheus(s));
  BOOST_TEST(scrape.problems.empty(), "problems: " << json(scrape.problems).dump());
}

BOOST_AUTO_TEST_CASE(latency_percentiles_stay_within_the_bucket_error) {
  http_stats stats;
  for (int i = 1; i <= 1000; ++i)
    stats.record(i == 1000 ? 503 : 200, i * 100); // 0.1 ms .. 100 ms
  auto s = stats.read();
  BOOST_TEST(s.requests == 1000u);
  BOOST_TEST(s.errors_5xx == 1u);
  BOOST_TEST(s.p50_ms >= 50.0);
  BOOST_TEST(s.p50_ms <= 50.0 * 1.1);
  BOOST_TEST(s.p99_ms >= 99.0);
  BOOST_TEST(s.p99_ms <= 99.0 * 1.1);
}

BOOST_AUTO_TEST_CASE(the_append_rate_counts_the_last_minute_only) {
  append_rate rate;
  rate.sample(0, 100);
  rate.sample(30000, 160);
  BOOST_TEST(rate.per_second(30000) == 1.0); // 60 events in the minute so far
  rate.sample(90000, 280);
  // Baseline: the last sample at or before 30 s, seq 160 -> 120 events.
  BOOST_TEST(rate.per_second(90000) == 2.0);
  BOOST_TEST(rate.per_second(200000) == 0.0);
}

BOOST_AUTO_TEST_CASE(gathering_waits_for_every_source_and_tolerates_failures) {
  std::vector<reply_handler> pending;
  metrics_sources src;
  auto hold = [&pending](reply_handler h) { pending.push_back(std::move(h)); };
  src.queue = hold;
  src.channels = hold;
  src.proxy = hold;
  src.totals = hold;
  std::optional<metrics_snapshot> got;
  gather_metrics(src, [&](metrics_snapshot s) { got = std::move(s); });
  BOOST_REQUIRE(pending.size() == 4u);
  pending[0](reply{200, json{{"active", 1}}});
  pending[1](error{ec::timeout, "slow"});
  pending[2](reply{200, json{{"running", true}}});
  BOOST_TEST(!got);
  pending[3](reply{200, json{{"events", {{"appendedPerSec1m", 3.0}}}}});
  BOOST_REQUIRE(got);
  BOOST_TEST(got->queue["active"] == 1);
  BOOST_TEST(got->channels.empty());
  BOOST_TEST(got->appended_per_sec == 3.0);
}

BOOST_AUTO_TEST_SUITE_END()
