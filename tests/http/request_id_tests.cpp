#include <boost/test/unit_test.hpp>

#include <string>

#include "http/security.hpp"

using namespace pincer::http;

BOOST_AUTO_TEST_SUITE(http_request_id)

BOOST_AUTO_TEST_CASE(a_safe_client_id_is_echoed) {
  BOOST_TEST(choose_request_id("abc-123_x.y:z") == "abc-123_x.y:z");
  BOOST_TEST(valid_request_id("A"));
}

BOOST_AUTO_TEST_CASE(an_id_of_exactly_128_characters_is_accepted) {
  BOOST_TEST(valid_request_id(std::string(128, 'a')));
  BOOST_TEST(!valid_request_id(std::string(129, 'a')));
}

BOOST_AUTO_TEST_CASE(unsafe_characters_make_the_server_generate_an_id) {
  for (std::string bad : {"a b", "a/b", "a\nb", "caf\xc3\xa9", "a;b", "{x}", "a%20"}) {
    BOOST_TEST(!valid_request_id(bad), bad);
    BOOST_TEST(choose_request_id(bad) != bad);
  }
}

BOOST_AUTO_TEST_CASE(a_missing_id_is_replaced_by_a_uuid) {
  auto id = choose_request_id("");
  BOOST_TEST(id.size() == 36u);
  BOOST_TEST(id[14] == '4');
  BOOST_TEST(valid_request_id(id));
  BOOST_TEST(choose_request_id("") != id);
}

BOOST_AUTO_TEST_SUITE_END()
