#include "tools/inspect_replay.hpp"

#include <sstream>

#include <boost/test/unit_test.hpp>

#include "tests/tools/tool_fixtures.hpp"

using namespace pincer;
using pincer::test::append_event;
using pincer::test::fill_small_log;
using pincer::test::json_lines;

BOOST_AUTO_TEST_SUITE(tools_replay)

BOOST_AUTO_TEST_CASE(replaying_the_audit_log_counts_one_row_per_event) {
  auto store = make_memory_store();
  fill_small_log(*store);
  auto counts = replay_audit(*store, replay_options{});
  BOOST_REQUIRE(counts);
  BOOST_TEST(counts->at("events") == 5);
  BOOST_TEST(counts->at("rows") == 5);
  auto& by_action = counts->at("byAction");
  BOOST_TEST(by_action.at("namespace.created") == 2);
  BOOST_TEST(by_action.at("namespace.updated") == 1);
  BOOST_TEST(by_action.at("namespace.deleted") == 1);
  BOOST_TEST(by_action.at("instructions.updated") == 1);
  BOOST_TEST(counts->at("eventsPerSec").is_number());
}

BOOST_AUTO_TEST_CASE(replaying_an_empty_log_counts_nothing) {
  auto store = make_memory_store();
  auto counts = replay_audit(*store, replay_options{});
  BOOST_REQUIRE(counts);
  BOOST_TEST(counts->at("events") == 0);
  BOOST_TEST(counts->at("rows") == 0);
  BOOST_TEST(counts->at("byAction").empty());
}

BOOST_AUTO_TEST_CASE(replay_counts_match_the_number_of_events_in_a_larger_log) {
  auto store = make_memory_store();
  for (int i = 0; i < 10000; ++i)
    append_event(*store, "namespace/n" + std::to_string(i % 7), "namespace.updated",
                 json{{"i", i}});
  std::ostringstream progress;
  replay_options opts;
  opts.progress_out = &progress;
  auto counts = replay_audit(*store, opts);
  BOOST_REQUIRE(counts);
  BOOST_TEST(counts->at("events") == 10000);
  BOOST_TEST(counts->at("rows") == 10000);
  BOOST_TEST(counts->at("byAction").at("namespace.updated") == 10000);
  auto text = progress.str();
  BOOST_TEST(text.find("\rreplaying: 10000 / 10000 events (") != std::string::npos);
  BOOST_TEST(text.find("events/s)") != std::string::npos);
  BOOST_TEST(text.back() == '\n');
}

BOOST_AUTO_TEST_CASE(the_exported_rows_are_the_audit_items_as_json_lines) {
  auto store = make_memory_store();
  fill_small_log(*store);
  std::ostringstream rows;
  replay_options opts;
  opts.rows_out = &rows;
  BOOST_REQUIRE(replay_audit(*store, opts));
  auto items = json_lines(rows.str());
  BOOST_REQUIRE_EQUAL(items.size(), 5u);
  for (size_t i = 0; i < items.size(); ++i)
    BOOST_TEST(items[i].at("seq") == i + 1);
  BOOST_TEST(items[0].at("action") == "namespace.created");
  BOOST_TEST(items[0].at("resource") == "namespace/a");
  BOOST_TEST(items[0].at("actor") == "key:test");
  BOOST_TEST(items[0].at("summary") == "Created namespace a");
}

BOOST_AUTO_TEST_CASE(without_a_terminal_no_progress_is_written) {
  auto store = make_memory_store();
  fill_small_log(*store);
  std::ostringstream rows;
  replay_options opts;
  opts.rows_out = &rows;
  BOOST_REQUIRE(replay_audit(*store, opts));
  BOOST_TEST(rows.str().find("replaying") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_progress_line_shows_position_and_rate) {
  BOOST_TEST(progress_line(4096, 10000, 1234.6)
             == "replaying: 4096 / 10000 events (1235 events/s)");
}

BOOST_AUTO_TEST_SUITE_END()
