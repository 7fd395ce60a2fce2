#include "tools/inspect_replay.hpp"

#include <algorithm>
#include <map>
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

BOOST_AUTO_TEST_CASE(the_progress_line_shows_position_rate_and_eta) {
  BOOST_TEST(progress_line(4096, 10000, 1234.6)
             == "replaying: 4096 / 10000 events (1235 events/s, ETA 5 s)");
  BOOST_TEST(progress_line(0, 10, 0) == "replaying: 0 / 10 events (0 events/s)");
}

BOOST_AUTO_TEST_CASE(every_projection_can_be_replayed_and_exported) {
  auto store = make_memory_store();
  auto add = [&](const std::string& stream, const std::string& type, json data) {
    append_request req{stream, any_version, "system", "", {draft{type, 1, std::move(data)}}};
    BOOST_REQUIRE(store->append({req}).at(0));
  };
  add("group/alpha", "run.started",
      json{{"group", "alpha"}, {"runId", "r1"}, {"trigger", "message"}, {"startedAt", 1000}});
  add("group/alpha", "run.finished",
      json{{"group", "alpha"}, {"runId", "r1"}, {"status", "success"}, {"startedAt", 1000},
           {"finishedAt", 1500}, {"durationMs", 500}});
  add("channel/telegram", "channel.message_received",
      json{{"id", "m1"}, {"chatJid", "tg:1"}, {"channel", "telegram"}, {"content", "hi"}});
  std::map<std::string, size_t> expected{{"audit", 3}, {"runs", 1}, {"analytics", 2},
                                         {"chats", 2}};
  for (auto& name : replay_names()) {
    BOOST_TEST_CONTEXT("projection " << name) {
      std::ostringstream out;
      replay_options opts;
      opts.rows_out = &out;
      auto counts = replay_projection(*store, name, opts);
      BOOST_REQUIRE(counts);
      BOOST_TEST(counts->at("events") == 3);
      BOOST_TEST(counts->at("items") == expected[name]);
      auto lines = json_lines(out.str());
      BOOST_TEST(lines.size() == expected[name]);
      std::ostringstream csv;
      opts.rows_out = &csv;
      opts.format = "csv";
      BOOST_REQUIRE(replay_projection(*store, name, opts));
      auto text = csv.str();
      BOOST_TEST(std::count(text.begin(), text.end(), '\n') >= static_cast<long>(expected[name]));
    }
  }
  std::ostringstream runs;
  replay_options opts;
  opts.rows_out = &runs;
  BOOST_REQUIRE(replay_projection(*store, "runs", opts));
  auto run = json::parse(runs.str());
  BOOST_TEST(run["runId"] == "r1");
  BOOST_TEST(run["status"] == "success");
  BOOST_TEST(!replay_projection(*store, "nope", opts));
}

BOOST_AUTO_TEST_CASE(csv_quotes_fields_with_commas_quotes_and_newlines) {
  std::ostringstream out;
  csv_writer w{out};
  w.write(json{{"a", "x,y"}, {"b", "say \"hi\""}, {"c", 3}});
  w.write(json{{"a", "line\nbreak"}, {"c", nullptr}});
  BOOST_TEST(out.str() == "a,b,c\n\"x,y\",\"say \"\"hi\"\"\",3\n\"line\nbreak\",,\n");
}

BOOST_AUTO_TEST_SUITE_END()
