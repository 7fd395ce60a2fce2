#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;

namespace {

/// The rows a `replay audit --output` file holds, one JSON object a line.
json rows_of(const std::string& path) {
  json rows = json::array();
  std::istringstream in{file_text(path)};
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      rows.push_back(json::parse(line));
  return rows;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_replay, server_fixture)

BOOST_AUTO_TEST_CASE(an_offline_audit_replay_matches_the_served_audit_log) {
  create("alpha", json{{"isMain", true}});
  create("beta", json{{"chatJids", {"wa:4915112345678"}}});
  auto& c = *client;
  BOOST_TEST_REQUIRE(c.put(namespaces + "/beta", json{{"description", "x"}},
                           {"X-Request-Id: replay-put"})
                       .status
                     == 200);
  BOOST_TEST_REQUIRE(
    c.put(namespaces + "/global/instructions", json{{"content", "G"}}).status == 200);
  BOOST_TEST_REQUIRE(
    c.put(namespaces + "/alpha/instructions", json{{"content", "A"}}).status == 200);
  // Failed requests add nothing to either side.
  BOOST_TEST(c.post(namespaces, json{{"name", "alpha"}}).status == 409);
  BOOST_TEST(c.put(namespaces + "/beta", json{{"isMain", true}}).status == 409);
  BOOST_TEST_REQUIRE(c.del(namespaces + "/alpha").status == 204);
  create("gamma");
  auto served = audit_items(2);
  BOOST_TEST_REQUIRE(served.size() == 7u);
  stop();
  auto output = root.sub("audit.jsonl");
  auto res = run_pincer({"replay", "audit", "--output", output, "--data-dir", data});
  BOOST_TEST_REQUIRE(res.exit_code == 0, res.output);
  auto rows = rows_of(output);
  // The replay is oldest first, the served log newest first.
  std::reverse(served.begin(), served.end());
  BOOST_TEST(rows == served, "replayed: " << rows.dump() << "\nserved: " << served.dump());
  BOOST_TEST(rows.size() == 7u);
  BOOST_TEST(rows[2].value("requestId", "") == "replay-put");
  BOOST_TEST(rows[2].value("action", "") == "namespace.updated");
  // The served log answers the same after a restart.
  start();
  auto again = audit_items(5);
  std::reverse(again.begin(), again.end());
  BOOST_TEST(again == rows);
}

BOOST_AUTO_TEST_SUITE_END()
