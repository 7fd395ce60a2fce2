#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"
#include "tests/support/prometheus.hpp"

using namespace pincer::e2e;

namespace {

const std::string proxy_api = api + "/container/credential-proxy";

/// The audit actor forms api.md allows.
bool known_actor(const std::string& a) {
  for (auto prefix : {"key:", "channel:", "ipc:"})
    if (a.rfind(prefix, 0) == 0 && a.size() > std::string{prefix}.size())
      return true;
  return a == "system" || a == "anonymous";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_monitoring, server_fixture)

BOOST_AUTO_TEST_CASE(metrics_report_requests_events_and_queue_in_the_documented_shape) {
  create("alpha");
  for (int i = 0; i < 3; ++i)
    get_ok(namespaces);
  BOOST_TEST(client->get(api + "/container/namespaces/nope").status == 404);
  auto seq = last_seq();
  auto m = get_ok(api + "/container/metrics");
  for (auto key : {"uptimeSecs", "containers", "queue", "runs", "events", "http", "channels",
                   "credentialProxy"})
    BOOST_TEST(m.contains(key), key);
  BOOST_TEST(m.size() == 8u);
  BOOST_TEST(m["events"]["lastSeq"] == seq);
  BOOST_TEST(m["http"]["requests"].get<uint64_t>() >= 6u);
  BOOST_TEST(m["http"]["errors5xx"] == 0);
  BOOST_TEST(m["http"]["p99Ms"].get<double>() >= m["http"]["p50Ms"].get<double>());
  BOOST_TEST(m["containers"]["maxConcurrent"].get<uint64_t>() >= 1u);
  BOOST_TEST(m["credentialProxy"]["running"].is_boolean());
  BOOST_TEST(m["runs"]["total"] == 0);
  // The namespace events were appended within the last minute.
  BOOST_TEST(m["events"]["appendedPerSec1m"].get<double>() > 0.0);
}

BOOST_AUTO_TEST_CASE(prometheus_text_is_served_at_both_paths_and_parses) {
  create("alpha");
  for (auto path : {std::string{"/metrics"}, api + "/metrics"}) {
    auto res = client->get(path);
    BOOST_TEST_REQUIRE(res.status == 200, path << ": " << res.body);
    BOOST_TEST(res.header("Content-Type").rfind("text/plain", 0) == 0u);
    auto scrape = pincer::test::parse_prometheus(res.body);
    BOOST_TEST(scrape.problems.empty(), path << ": " << json(scrape.problems).dump());
    BOOST_TEST(scrape.series.count("pincer_http_requests_total") == 1u);
    BOOST_TEST(scrape.series.at("pincer_events_last_seq") >= 1.0);
    BOOST_TEST(scrape.series.count("pincer_runs_total{status=\"success\"}") == 1u);
  }
}

BOOST_AUTO_TEST_CASE(analytics_answer_the_default_window_and_refuse_bad_parameters) {
  auto a = get_ok(api + "/container/analytics");
  BOOST_TEST(a["bucket"] == "day");
  BOOST_TEST(a["series"].size() == 8u);
  BOOST_TEST(a["totals"]["runs"] == 0);
  auto hours = get_ok(api + "/container/analytics?bucket=hour&from=2026-01-01T00:00:00Z"
                            "&to=2026-01-01T05:30:00Z&group=alpha");
  BOOST_TEST(hours["series"].size() == 6u);
  BOOST_TEST(hours["to"] == "2026-01-01T06:00:00.000Z");
  check_error(client->get(api + "/container/analytics?bucket=week"), 400, "validation_failed",
              "bucket");
  check_error(client->get(api + "/container/analytics?from=2026-02-01T00:00:00Z"
                                "&to=2026-01-01T00:00:00Z"),
              400, "validation_failed", "from");
}

BOOST_AUTO_TEST_CASE(audit_entries_never_contain_a_secret_and_always_name_an_actor) {
  const std::vector<std::string> secrets{"sk-ant-monitoring-secret-0001",
                                         "user:pa55word-monitoring", "hdr-secret-value-77"};
  create("alpha");
  auto add = [&](const std::string& name, const std::string& type, const std::string& secret) {
    json body{{"name", name},
              {"upstreamUrl", "https://api.example.com"},
              {"credentialType", type},
              {"credential", secret}};
    if (type == "header")
      body["headerName"] = "X-Token";
    auto res = client->post(proxy_api + "/mappings", body);
    BOOST_TEST_REQUIRE(res.status == 201, res.body);
    return res.json_body().at("id").get<std::string>();
  };
  auto first = add("one", "api_key", secrets[0]);
  add("two", "basic", secrets[1]);
  add("three", "header", secrets[2]);
  BOOST_TEST(client->del(proxy_api + "/mappings/" + first).status == 204);
  auto items = audit_items(100);
  BOOST_TEST(items.size() >= 5u);
  auto text = items.dump();
  for (auto& s : secrets)
    BOOST_TEST(text.find(s) == std::string::npos, "the audit log shows " << s);
  for (auto& item : items) {
    BOOST_TEST(known_actor(item.value("actor", "")), item.dump());
    BOOST_TEST(!item.value("summary", "").empty(), item.dump());
    BOOST_TEST(item.value("summary", "") != item.value("action", ""), item.dump());
    auto outcome = item.value("outcome", "");
    BOOST_TEST((outcome == "ok" || outcome == "denied" || outcome == "failed"), item.dump());
  }
  // Neither do the metrics and analytics answers.
  auto others = client->get("/metrics").body + get_ok(api + "/container/metrics").dump()
                + get_ok(api + "/container/analytics").dump();
  for (auto& s : secrets)
    BOOST_TEST(others.find(s) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(analytics_answer_the_same_after_a_restart) {
  create("alpha");
  auto before = get_ok(api + "/container/analytics?from=2020-01-01T00:00:00Z&bucket=day");
  restart();
  auto after = get_ok(api + "/container/analytics?from=2020-01-01T00:00:00Z&bucket=day");
  before.erase("to");
  after.erase("to");
  before.erase("series");
  after.erase("series");
  BOOST_TEST(before == after);
}

BOOST_AUTO_TEST_SUITE_END()
