#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "http/security.hpp"

using namespace pincer::http;

BOOST_AUTO_TEST_SUITE(http_auth)

BOOST_AUTO_TEST_CASE(a_fingerprint_is_key_colon_and_the_first_8_hex_digits_of_sha256) {
  // sha256("secret") = 2bb80d53...
  BOOST_TEST(key_fingerprint("secret") == "key:2bb80d53");
  // sha256("") = e3b0c442...
  BOOST_TEST(key_fingerprint("") == "key:e3b0c442");
}

BOOST_AUTO_TEST_CASE(a_configured_key_matches_and_names_its_actor) {
  key_set keys{{"alpha", "secret"}};
  BOOST_TEST(keys.enabled());
  auto actor = keys.match("secret");
  BOOST_REQUIRE(actor.has_value());
  BOOST_TEST(*actor == "key:2bb80d53");
  BOOST_TEST(*keys.match("alpha") == key_fingerprint("alpha"));
}

BOOST_AUTO_TEST_CASE(wrong_missing_or_prefixed_keys_do_not_match) {
  key_set keys{{"secret"}};
  BOOST_TEST(!keys.match(""));
  BOOST_TEST(!keys.match("secre"));
  BOOST_TEST(!keys.match("secret "));
  BOOST_TEST(!keys.match("SECRET"));
}

BOOST_AUTO_TEST_CASE(no_configured_key_turns_auth_off) {
  key_set none{std::vector<std::string>{}};
  BOOST_TEST(!none.enabled());
  BOOST_TEST(!none.match("anything"));
  key_set empty_only{{""}};
  BOOST_TEST(!empty_only.enabled());
}

BOOST_AUTO_TEST_CASE(health_and_the_provider_webhooks_skip_auth) {
  BOOST_TEST(auth_exempt("GET", "/api/v1/health"));
  BOOST_TEST(!auth_exempt("POST", "/api/v1/health"));
  BOOST_TEST(auth_exempt("POST", "/api/v1/channels/whatsapp/webhook"));
  BOOST_TEST(auth_exempt("GET", "/api/v1/channels/whatsapp/webhook"));
  BOOST_TEST(auth_exempt("POST", "/api/v1/channels/slack/events"));
  BOOST_TEST(!auth_exempt("GET", "/api/v1/openapi.json"));
  BOOST_TEST(!auth_exempt("GET", "/api/v1/health/"));
}

BOOST_AUTO_TEST_CASE(loopback_hosts_are_recognised) {
  for (std::string h : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]",
                        "::ffff:127.0.0.1"})
    BOOST_TEST(is_loopback(h), h);
  for (std::string h : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.5", "example.com",
                        "128.0.0.1", ""})
    BOOST_TEST(!is_loopback(h), h);
}

BOOST_AUTO_TEST_SUITE_END()
