#include <boost/test/unit_test.hpp>

#include <string>

#include "http/query.hpp"
#include "http/sse.hpp"

using namespace pincer;
using namespace pincer::http;

BOOST_AUTO_TEST_SUITE(http_query)

BOOST_AUTO_TEST_CASE(percent_escapes_and_plus_signs_are_decoded) {
  BOOST_TEST(*percent_decode("a%20b%2Fc") == "a b/c");
  BOOST_TEST(*percent_decode("a+b") == "a+b");
  BOOST_TEST(*percent_decode("a+b", true) == "a b");
  BOOST_TEST(*percent_decode("%e2%82%AC") == "\xe2\x82\xac");
}

BOOST_AUTO_TEST_CASE(malformed_escapes_and_nul_bytes_are_rejected) {
  BOOST_TEST(!percent_decode("%"));
  BOOST_TEST(!percent_decode("abc%2"));
  BOOST_TEST(!percent_decode("%zz"));
  BOOST_TEST(!percent_decode("a%00b"));
}

BOOST_AUTO_TEST_CASE(a_query_string_becomes_decoded_parameters) {
  auto q = parse_query_string("limit=10&actor=key%3Aabc&flag&x=a+b&limit=20");
  BOOST_REQUIRE(q);
  BOOST_TEST(q->at("limit") == "20");
  BOOST_TEST(q->at("actor") == "key:abc");
  BOOST_TEST(q->at("flag") == "");
  BOOST_TEST(q->at("x") == "a b");
  BOOST_TEST(parse_query_string("")->empty());
}

BOOST_AUTO_TEST_CASE(a_broken_query_string_fails_on_field_query) {
  auto q = parse_query_string("a=%zz");
  BOOST_REQUIRE(!q);
  BOOST_TEST((q.err().code == ec::validation_failed));
  BOOST_TEST(q.err().field == "query");
}

BOOST_AUTO_TEST_CASE(force_accepts_only_true_or_false) {
  BOOST_TEST(*parse_flag({}, "force") == false);
  BOOST_TEST(*parse_flag({{"force", "true"}}, "force") == true);
  BOOST_TEST(*parse_flag({{"force", "false"}}, "force") == false);
  for (std::string bad : {"", "1", "yes", "TRUE", "true "}) {
    auto r = parse_flag({{"force", bad}}, "force");
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.err().code == ec::validation_failed));
    BOOST_TEST(r.err().field == "force");
  }
}

BOOST_AUTO_TEST_CASE(after_is_a_non_negative_integer_or_absent) {
  BOOST_TEST(!parse_after({})->has_value());
  BOOST_TEST(**parse_after({{"after", "0"}}) == 0u);
  BOOST_TEST(**parse_after({{"after", "18446744073709551615"}}) == UINT64_MAX);
  for (std::string bad : {"", "-1", "1.5", "abc", "18446744073709551616", " 1"}) {
    auto r = parse_after({{"after", bad}});
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.err().field == "after");
  }
}

BOOST_AUTO_TEST_CASE(json_content_types_may_carry_parameters) {
  BOOST_TEST(is_json_content_type("application/json"));
  BOOST_TEST(is_json_content_type("application/json; charset=utf-8"));
  BOOST_TEST(is_json_content_type("Application/JSON;charset=UTF-8"));
  BOOST_TEST(!is_json_content_type(""));
  BOOST_TEST(!is_json_content_type("text/plain"));
  BOOST_TEST(!is_json_content_type("application/jsonx"));
  BOOST_TEST(!is_json_content_type("application/x-www-form-urlencoded"));
}

BOOST_AUTO_TEST_CASE(a_body_must_be_a_json_object) {
  BOOST_TEST(parse_json_object(R"({"name":"x"})")->at("name") == "x");
  for (std::string bad : {"", "{", "[1,2]", "\"text\"", "42", "null", "{} {}"}) {
    auto r = parse_json_object(bad);
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.err().code == ec::invalid_json), bad);
  }
}

BOOST_AUTO_TEST_CASE(an_event_becomes_one_server_sent_events_message) {
  json e = {{"seq", 42}, {"type", "namespace.created"}, {"data", {{"text", "a\nb"}}}};
  auto text = format_sse(e);
  BOOST_TEST(text.rfind("event: namespace.created\nid: 42\ndata: {", 0) == 0u);
  BOOST_TEST(text.substr(text.size() - 2) == "\n\n");
  BOOST_TEST(text.find('\n', text.find("data: ")) == text.size() - 2);
}

BOOST_AUTO_TEST_SUITE_END()
