#include "tools/inspect.hpp"

#include <map>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "tests/tools/tool_fixtures.hpp"
#include "tools/inspect_verify.hpp"

using namespace pincer;
using pincer::test::append_event;
using pincer::test::fill_small_log;
using pincer::test::json_lines;

namespace {

/// A memory store holding the small five-event log.
struct small_log {
  std::unique_ptr<event_store> store = make_memory_store();
  std::ostringstream out;

  small_log() {
    fill_small_log(*store);
  }

  std::vector<json> lines() const {
    return json_lines(out.str());
  }
};

std::vector<uint64_t> seqs(const std::vector<json>& lines) {
  std::vector<uint64_t> out;
  for (auto& j : lines)
    out.push_back(j.at("seq").get<uint64_t>());
  return out;
}

record make_record(uint64_t seq, std::string type = "namespace.updated",
                   std::string data = "{}") {
  record r;
  r.seq = seq;
  r.stream = "namespace/a";
  r.stream_version = seq;
  r.type = std::move(type);
  r.data = std::move(data);
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(tools_events)

// -- ls -----------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(ls_prints_one_line_per_stream_with_its_version, small_log) {
  BOOST_TEST(list_streams(*store, "", out) == 3u);
  auto got = lines();
  BOOST_REQUIRE_EQUAL(got.size(), 3u);
  std::map<std::string, uint64_t> versions;
  for (auto& j : got) {
    BOOST_TEST(j.size() == 2u);
    versions[j.at("stream").get<std::string>()] = j.at("version").get<uint64_t>();
  }
  BOOST_TEST(versions["namespace/a"] == 3u);
  BOOST_TEST(versions["namespace/b"] == 1u);
  BOOST_TEST(versions["instructions/global"] == 1u);
}

BOOST_FIXTURE_TEST_CASE(ls_with_a_prefix_lists_only_matching_streams, small_log) {
  BOOST_TEST(list_streams(*store, "namespace/", out) == 2u);
  for (auto& j : lines())
    BOOST_TEST(j.at("stream").get<std::string>().rfind("namespace/", 0) == 0u);
}

// -- tail ---------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(tail_prints_the_last_n_events_oldest_first, small_log) {
  tail_options t;
  t.count = 2;
  auto position = tail_events(*store, t, out);
  BOOST_REQUIRE(position);
  BOOST_TEST(*position == 5u);
  BOOST_TEST(seqs(lines()) == (std::vector<uint64_t>{4, 5}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(tail_with_more_than_the_log_prints_everything, small_log) {
  tail_options t;
  t.count = 100;
  BOOST_REQUIRE(tail_events(*store, t, out));
  BOOST_TEST(seqs(lines()) == (std::vector<uint64_t>{1, 2, 3, 4, 5}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(tail_filters_by_stream_prefix_and_type, small_log) {
  tail_options t;
  t.count = 2;
  t.filter.stream_prefix = "namespace/";
  BOOST_REQUIRE(tail_events(*store, t, out));
  BOOST_TEST(seqs(lines()) == (std::vector<uint64_t>{3, 5}), boost::test_tools::per_element());
  out.str("");
  t.filter = event_filter{"", "namespace.created"};
  BOOST_REQUIRE(tail_events(*store, t, out));
  BOOST_TEST(seqs(lines()) == (std::vector<uint64_t>{1, 3}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(tail_prints_decoded_envelopes_with_upcast_data, small_log) {
  tail_options t;
  t.count = 5;
  BOOST_REQUIRE(tail_events(*store, t, out));
  auto first = lines().at(0);
  BOOST_TEST(first.at("type") == "namespace.created");
  BOOST_TEST(first.at("stream") == "namespace/a");
  BOOST_TEST(first.at("streamVersion") == 1);
  BOOST_TEST(first.at("actor") == "key:test");
  BOOST_TEST(first.at("requestId") == "req-1");
  BOOST_TEST(first.at("schemaVersion") == 2);
  BOOST_TEST(first.at("data").at("name") == "a");
  BOOST_TEST(first.at("at").is_string());
  BOOST_TEST(!first.contains("undecodable"));
}

// -- dump ---------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(dump_prints_every_event_oldest_first, small_log) {
  auto position = dump_events(*store, dump_options{}, out);
  BOOST_REQUIRE(position);
  BOOST_TEST(*position == 5u);
  BOOST_TEST(seqs(lines()) == (std::vector<uint64_t>{1, 2, 3, 4, 5}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(dump_starts_after_a_sequence_number_and_stops_at_the_limit, small_log) {
  dump_options d;
  d.after = 1;
  d.limit = 2;
  BOOST_REQUIRE(dump_events(*store, d, out));
  BOOST_TEST(seqs(lines()) == (std::vector<uint64_t>{2, 3}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(dump_applies_stream_and_type_filters_together, small_log) {
  dump_options d;
  d.filter = event_filter{"namespace/a", "namespace.updated"};
  BOOST_REQUIRE(dump_events(*store, d, out));
  BOOST_TEST(seqs(lines()) == (std::vector<uint64_t>{2}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(dump_after_the_end_prints_nothing_and_keeps_the_position, small_log) {
  dump_options d;
  d.after = 5;
  auto position = dump_events(*store, d, out);
  BOOST_REQUIRE(position);
  BOOST_TEST(*position == 5u);
  BOOST_TEST(out.str().empty());
}

// -- show ---------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(show_prints_one_event_as_pretty_json, small_log) {
  BOOST_REQUIRE(show_event(*store, 3, out));
  auto text = out.str();
  BOOST_TEST(text.find("\n  \"seq\": 3") != std::string::npos);
  auto j = json::parse(text);
  BOOST_TEST(j.at("stream") == "namespace/b");
}

BOOST_FIXTURE_TEST_CASE(show_of_an_unknown_sequence_number_fails_with_not_found, small_log) {
  for (uint64_t seq : {0u, 6u, 1000u}) {
    auto res = show_event(*store, seq, out);
    BOOST_REQUIRE(!res);
    BOOST_TEST((res.err().code == ec::not_found));
  }
  BOOST_TEST(out.str().empty());
}

// -- stats --------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(stats_count_events_per_type_and_stream_prefix, small_log) {
  auto stats = event_stats(*store);
  BOOST_REQUIRE(stats);
  auto& s = *stats;
  BOOST_TEST(s.at("events") == 5);
  BOOST_TEST(s.at("lastSeq") == 5);
  BOOST_TEST(s.at("byType").at("namespace.created") == 2);
  BOOST_TEST(s.at("byType").at("namespace.updated") == 1);
  BOOST_TEST(s.at("byType").at("namespace.deleted") == 1);
  BOOST_TEST(s.at("byType").at("instructions.updated") == 1);
  BOOST_TEST(s.at("byStreamPrefix").at("namespace") == 4);
  BOOST_TEST(s.at("byStreamPrefix").at("instructions") == 1);
  BOOST_TEST(s.at("firstAt").is_string());
  BOOST_TEST(s.at("lastAt").is_string());
  BOOST_TEST(s.at("firstAt").get<std::string>() <= s.at("lastAt").get<std::string>());
}

BOOST_AUTO_TEST_CASE(stats_of_an_empty_log_have_no_times) {
  auto store = make_memory_store();
  auto stats = event_stats(*store);
  BOOST_REQUIRE(stats);
  BOOST_TEST(stats->at("events") == 0);
  BOOST_TEST(stats->at("firstAt").is_null());
  BOOST_TEST(stats->at("byType").empty());
}

// -- verify -------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(verify_of_a_clean_log_prints_only_an_ok_summary, small_log) {
  auto summary = verify_log(*store, out);
  BOOST_REQUIRE(summary);
  BOOST_TEST(summary->clean());
  auto got = lines();
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_TEST(got[0].at("summary") == true);
  BOOST_TEST(got[0].at("events") == 5);
  BOOST_TEST(got[0].at("ok") == true);
}

BOOST_FIXTURE_TEST_CASE(verify_reports_an_event_of_unknown_type_as_undecodable, small_log) {
  append_event(*store, "namespace/a", "namespace.exploded", json{{"why", "test"}});
  auto summary = verify_log(*store, out);
  BOOST_REQUIRE(summary);
  BOOST_TEST(!summary->clean());
  BOOST_TEST(summary->undecodable == 1u);
  auto got = lines();
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST(got[0].at("problem") == "undecodable");
  BOOST_TEST(got[0].at("seq") == 6);
  BOOST_TEST(got[0].at("type") == "namespace.exploded");
  BOOST_TEST(got[1].at("ok") == false);
  BOOST_TEST(got[1].at("undecodable") == 1);
}

BOOST_AUTO_TEST_CASE(the_verifier_reports_a_sequence_gap_with_the_missing_count) {
  std::ostringstream out;
  log_verifier v{out};
  for (uint64_t seq : {1u, 2u, 5u, 6u})
    v.check(make_record(seq));
  BOOST_TEST(v.summary().gaps == 1u);
  BOOST_TEST(v.summary().missing == 2u);
  BOOST_TEST(v.summary().events == 4u);
  BOOST_TEST(!v.summary().clean());
  auto got = json_lines(out.str());
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_TEST(got[0].at("problem") == "gap");
  BOOST_TEST(got[0].at("after") == 2);
  BOOST_TEST(got[0].at("next") == 5);
  BOOST_TEST(got[0].at("missing") == 2);
}

BOOST_AUTO_TEST_CASE(the_verifier_reports_a_log_that_does_not_start_at_one) {
  std::ostringstream out;
  log_verifier v{out};
  v.check(make_record(3));
  BOOST_TEST(v.summary().gaps == 1u);
  BOOST_TEST(v.summary().missing == 2u);
}

BOOST_AUTO_TEST_CASE(the_verifier_reports_checksum_failures_and_bad_json) {
  std::ostringstream out;
  log_verifier v{out};
  auto bad_sum = make_record(1);
  bad_sum.checksum_ok = false;
  v.check(bad_sum);
  v.check(make_record(2, "namespace.updated", "{not json"));
  v.check(make_record(3));
  BOOST_TEST(v.summary().checksum_failures == 1u);
  BOOST_TEST(v.summary().undecodable == 1u);
  BOOST_TEST(v.summary().gaps == 0u);
  auto got = json_lines(out.str());
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST(got[0].at("problem") == "checksum");
  BOOST_TEST(got[0].at("seq") == 1);
  BOOST_TEST(got[1].at("problem") == "undecodable");
  BOOST_TEST(got[1].at("seq") == 2);
}

// -- formatting and redaction -------------------------------------------------

BOOST_AUTO_TEST_CASE(secret_keys_are_recognised_by_name_in_any_case) {
  for (auto key : {"credential", "botToken", "appToken", "accessToken", "appSecret",
                   "signingSecret", "verifyToken", "token", "secret", "password", "PASSWORD"})
    BOOST_TEST(is_secret_key(key), key);
  for (auto key : {"name", "tokens", "secretary", "tokenCount", ""})
    BOOST_TEST(!is_secret_key(key), key);
}

BOOST_AUTO_TEST_CASE(redaction_hides_secret_fields_at_any_depth) {
  auto data = json::parse(R"({
    "name": "ops",
    "botToken": "xoxb-1",
    "channels": [{"id": "c1", "signingSecret": "s3"}, {"nested": {"password": "p4"}}],
    "auth": {"credential": {"kind": "oauth", "accessToken": "a5"}}
  })");
  auto out = redact(data);
  BOOST_TEST(out.at("name") == "ops");
  BOOST_TEST(out.at("botToken") == "[redacted]");
  BOOST_TEST(out.at("channels").at(0).at("id") == "c1");
  BOOST_TEST(out.at("channels").at(0).at("signingSecret") == "[redacted]");
  BOOST_TEST(out.at("channels").at(1).at("nested").at("password") == "[redacted]");
  BOOST_TEST(out.at("auth").at("credential") == "[redacted]");
  auto text = out.dump();
  for (auto secret : {"xoxb-1", "s3", "p4", "a5", "oauth"})
    BOOST_TEST(text.find(secret) == std::string::npos, secret);
}

BOOST_AUTO_TEST_CASE(printed_events_never_show_secret_values) {
  auto store = make_memory_store();
  append_event(*store, "namespace/a", "namespace.updated",
               json{{"name", "a"}, {"config", {{"appSecret", "hunter2"}}}});
  append_event(*store, "channel/x", "channel.connected", json{{"token", "hunter3"}});
  std::ostringstream out;
  BOOST_REQUIRE(dump_events(*store, dump_options{}, out));
  BOOST_REQUIRE(show_event(*store, 2, out));
  auto text = out.str();
  BOOST_TEST(text.find("hunter") == std::string::npos);
  BOOST_TEST(text.find("[redacted]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broken_data_text_that_mentions_a_secret_is_hidden_whole) {
  auto r = make_record(1, "namespace.updated", R"({"password": "hunter2")");
  auto j = format_event(r);
  BOOST_TEST(j.at("undecodable") == true);
  BOOST_TEST(j.at("data") == "[redacted]");
  auto harmless = format_event(make_record(1, "namespace.updated", "{oops"));
  BOOST_TEST(harmless.at("data") == "{oops");
}

BOOST_AUTO_TEST_CASE(an_undecodable_event_is_printed_raw_and_marked) {
  auto store = make_memory_store();
  append_event(*store, "namespace/a", "namespace.exploded", json{{"why", "test"}});
  std::ostringstream out;
  BOOST_REQUIRE(dump_events(*store, dump_options{}, out));
  auto got = json_lines(out.str());
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_TEST(got[0].at("undecodable") == true);
  BOOST_TEST(got[0].at("type") == "namespace.exploded");
  BOOST_TEST(got[0].at("data").at("why") == "test");
  BOOST_TEST(got[0].at("reason").get<std::string>().find("unknown event type")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(opening_a_data_folder_without_an_event_store_fails_clearly) {
  auto res = open_event_log("/nonexistent/pincer-data");
  BOOST_REQUIRE(!res);
  BOOST_TEST((res.err().code == ec::not_found));
  BOOST_TEST(res.err().message.find("/nonexistent/pincer-data/events") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
