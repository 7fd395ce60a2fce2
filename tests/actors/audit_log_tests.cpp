#include "actors/audit_actor.hpp"

#include "actors/event_log.hpp"
#include "tests/actors/fixture.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

struct audit_fixture : deterministic_fixture {
  std::shared_ptr<event_store> store{make_memory_store()};

  void append(const std::string& stream, const std::string& type, const std::string& actor) {
    append_request req{stream, any_version, actor, "rq-" + stream, {draft{type, 1, json{}}}};
    BOOST_REQUIRE(store->append({req}).at(0));
  }

  caf::expected<reply> query(audit_actor a, query_params q) {
    return ask<reply>(a, query_atom::value, std::move(q));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_audit_log, audit_fixture)

BOOST_AUTO_TEST_CASE(the_audit_log_lists_events_newest_first_with_summaries) {
  append("namespace/a", "namespace.created", "key:1");
  append("instructions/global", "instructions.updated", "key:2");
  auto a = track(spawn_audit_log(sys, store));
  auto page = query(a, {});
  BOOST_REQUIRE(page);
  auto& items = page->body["items"];
  BOOST_REQUIRE(items.size() == 2u);
  BOOST_TEST(items[0]["seq"] == 2);
  BOOST_TEST(items[0]["summary"] == "Updated instructions of global");
  BOOST_TEST(items[1]["action"] == "namespace.created");
  BOOST_TEST(items[1]["resource"] == "namespace/a");
  BOOST_TEST(items[1]["actor"] == "key:1");
  BOOST_TEST(items[1]["requestId"] == "rq-namespace/a");
  BOOST_TEST(items[1]["outcome"] == "ok");
  BOOST_TEST(page->body["nextCursor"].is_null());
}

BOOST_AUTO_TEST_CASE(pages_follow_the_cursor_without_gaps_or_repeats) {
  for (int i = 0; i < 7; ++i)
    append("namespace/n" + std::to_string(i), "namespace.created", "key:1");
  auto a = track(spawn_audit_log(sys, store));
  std::vector<uint64_t> seen;
  query_params q{{"limit", "3"}};
  for (int pages = 0; pages < 5; ++pages) {
    auto page = query(a, q);
    BOOST_REQUIRE(page);
    for (auto& item : page->body["items"])
      seen.push_back(item["seq"].get<uint64_t>());
    if (page->body["nextCursor"].is_null())
      break;
    q["cursor"] = page->body["nextCursor"].get<std::string>();
  }
  BOOST_TEST(seen == (std::vector<uint64_t>{7, 6, 5, 4, 3, 2, 1}));
}

BOOST_AUTO_TEST_CASE(filters_select_by_action_actor_and_resource) {
  append("namespace/a", "namespace.created", "key:1");
  append("namespace/a", "namespace.updated", "key:2");
  append("namespace/b", "namespace.created", "key:2");
  auto a = track(spawn_audit_log(sys, store));
  BOOST_TEST(query(a, {{"action", "namespace.created"}})->body["items"].size() == 2u);
  BOOST_TEST(query(a, {{"actor", "key:2"}})->body["items"].size() == 2u);
  BOOST_TEST(query(a, {{"resource", "namespace/a"}})->body["items"].size() == 2u);
  BOOST_TEST(query(a, {{"resource", "namespace/"}})->body["items"].size() == 3u);
  BOOST_TEST(query(a, {{"until", "2000-01-01T00:00:00Z"}})->body["items"].size() == 0u);
}

BOOST_AUTO_TEST_CASE(bad_query_parameters_are_validation_errors_naming_the_field) {
  auto a = track(spawn_audit_log(sys, store));
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
         {"limit", "0"}, {"limit", "1001"}, {"limit", "x"}, {"cursor", "-1"},
         {"since", "yesterday"}}) {
    auto r = query(a, {{key, value}});
    BOOST_REQUIRE(!r);
    BOOST_TEST(from_caf(r.error()).code == ec::validation_failed);
    BOOST_TEST(from_caf(r.error()).field == key);
  }
}

BOOST_AUTO_TEST_CASE(the_projection_resumes_from_its_checkpoint_and_equals_a_full_replay) {
  append("namespace/a", "namespace.created", "key:1");
  auto first = track(spawn_audit_log(sys, store));
  BOOST_REQUIRE(query(first, {}));
  BOOST_TEST(store->checkpoint("audit") == 1u);
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
  append("namespace/a", "namespace.deleted", "key:1");
  auto second = track(spawn_audit_log(sys, store));
  run();
  BOOST_TEST(store->checkpoint("audit") == 2u);
  std::vector<row> live, rebuilt;
  BOOST_REQUIRE(store->scan_projection("audit", "", false, [&](auto& k, auto& v) {
    live.emplace_back(k, v);
    return true;
  }));
  BOOST_REQUIRE(replay(*store, audit_projection{}, [&](const row& r) { rebuilt.push_back(r); }));
  BOOST_TEST(live.size() == 2u);
  BOOST_TEST((live == rebuilt));
}

BOOST_AUTO_TEST_SUITE_END()
