#include <boost/test/unit_test.hpp>

#include "actors/run_output.hpp"

using namespace pincer;

BOOST_AUTO_TEST_SUITE(actors_run_output)

BOOST_AUTO_TEST_CASE(blocks_split_across_chunks_are_parsed_once_complete) {
  output_parser p;
  std::string text = "log line\n---PINCER_OUTPUT_START---\n{\"status\":\"success\",\"result\":\"hi\"}\n"
                     "---PINCER_OUTPUT_END---\nmore log\n";
  std::vector<json> blocks;
  for (char c : text)
    for (auto& b : p.feed(std::string_view{&c, 1}))
      blocks.push_back(b);
  BOOST_REQUIRE(blocks.size() == 1u);
  BOOST_TEST(blocks[0]["result"] == "hi");
}

BOOST_AUTO_TEST_CASE(both_marker_styles_are_accepted_and_bad_json_is_skipped) {
  output_parser p;
  auto blocks = p.feed("---NANOCLAW_OUTPUT_START---\r\n{\"status\":\"success\",\"result\":null}\r\n"
                       "---NANOCLAW_OUTPUT_END---\r\n"
                       "---PINCER_OUTPUT_START---\nnot json\n---PINCER_OUTPUT_END---\n"
                       "---PINCER_OUTPUT_START---\n[1]\n---PINCER_OUTPUT_END---\n");
  BOOST_REQUIRE(blocks.size() == 1u);
  BOOST_TEST(blocks[0]["result"].is_null());
  BOOST_TEST(p.skipped() == 2u);
}

BOOST_AUTO_TEST_CASE(an_unfinished_block_waits_for_its_end_marker) {
  output_parser p;
  BOOST_TEST(p.feed("---PINCER_OUTPUT_START---\n{\"status\":\"success\"}\n").empty());
  BOOST_TEST(p.feed("---PINCER_OUTPUT_END---\n").size() == 1u);
}

BOOST_AUTO_TEST_CASE(internal_blocks_are_removed_and_empty_replies_are_none) {
  BOOST_TEST(*strip_internal("a<internal>x</internal>b") == "ab");
  BOOST_TEST(*strip_internal("  keep  ") == "keep");
  BOOST_TEST(!strip_internal("<internal>all</internal>  "));
  BOOST_TEST(*strip_internal("shown<internal>unclosed") == "shown");
  BOOST_TEST(*strip_internal("<internal>a</internal>1<internal>b</internal>2") == "12");
}

BOOST_AUTO_TEST_CASE(missing_session_errors_are_recognised) {
  BOOST_TEST(session_missing("No conversation found with session ID: abc"));
  BOOST_TEST(session_missing("ENOENT: no such file, open '/home/node/.claude/x.jsonl'"));
  BOOST_TEST(session_missing("Session abc not found"));
  BOOST_TEST(!session_missing("rate limited"));
}

BOOST_AUTO_TEST_SUITE_END()
