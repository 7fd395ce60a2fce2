#include <boost/test/unit_test.hpp>

#include "actors/channel_rules.hpp"
#include "events/time.hpp"
#include "tests/e2e/channel_fixture.hpp"

using namespace pincer;
using namespace pincer::e2e;
using namespace std::chrono_literals;

namespace {

/// Posts an Events API body signed with `secret` at `timestamp`.
http_response post_event(channel_fixture& f, const std::string& body, const std::string& secret,
                         int64_t timestamp, std::vector<std::string> extra = {}) {
  auto ts = std::to_string(timestamp);
  auto sig = "v0=" + hmac_sha256_hex(secret, "v0:" + ts + ":" + body);
  std::vector<std::string> headers{"Content-Type: application/json",
                                   "X-Slack-Request-Timestamp: " + ts,
                                   "X-Slack-Signature: " + sig};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return f.client->request("POST", channels + "/slack/events", body, headers);
}

int64_t now_secs() {
  return now_ms() / 1000;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_channels_slack, channel_fixture)

BOOST_AUTO_TEST_CASE(validate_uses_auth_test_and_connect_needs_an_app_token_or_a_signing_secret) {
  auto good = client->post(channels + "/slack/validate", json{{"botToken", slack_bot_token}});
  BOOST_TEST_REQUIRE(good.status == 200, good.body);
  BOOST_TEST(good.json_body()["valid"] == true);
  BOOST_TEST(good.json_body()["account"]["id"] == "UBOT");
  auto bad = client->post(channels + "/slack/validate", json{{"botToken", "xoxb-wrong"}});
  BOOST_TEST(bad.json_body()["valid"] == false, bad.body);
  auto neither = client->post(channels + "/slack/connect", json{{"botToken", slack_bot_token}});
  BOOST_TEST(neither.status == 400);
  BOOST_TEST(neither.json_body()["error"]["details"]["field"] == "appToken", neither.body);
  BOOST_TEST(events_of("channel.connected").empty());
}

BOOST_AUTO_TEST_CASE(socket_mode_acks_envelopes_and_ingests_messages_with_resolved_names) {
  create("team", json{{"chatJids", {"slack:C1"}}});
  auto view = connect_slack();
  BOOST_TEST(view["account"]["id"] == "UBOT");
  BOOST_TEST_REQUIRE(slack.wait_connections(1, 10s));
  auto env = slack.inject_message("C1", "@Andy echo: hi");
  BOOST_TEST(slack.wait_acked(env, 10s), "envelope not acked");
  auto stored = wait_events("channel.message_received", 1);
  BOOST_REQUIRE(stored.size() == 1u);
  BOOST_TEST(stored[0]["data"]["chatJid"] == "slack:C1");
  BOOST_TEST(stored[0]["data"]["chatName"] == "general");
  BOOST_TEST(stored[0]["data"]["sender"] == "U42");
  BOOST_TEST(stored[0]["data"]["senderName"] == "Ann");
  BOOST_TEST(wait_events("message.queued", 1).size() == 1u);
  BOOST_TEST(slack.listings() == 2u); // conversations.list, both pages
  // The names are cached: a second message asks users.info and
  // conversations.list no more.
  BOOST_TEST(slack.wait_acked(slack.inject_message("C1", "more"), 10s));
  BOOST_REQUIRE(wait_events("channel.message_received", 2).size() == 2u);
  BOOST_TEST(slack.lookups() == 1u);
  BOOST_TEST(slack.listings() == 2u);
}

BOOST_AUTO_TEST_CASE(the_bots_own_messages_are_stored_as_its_own_and_run_nothing) {
  create("team", json{{"chatJids", {"slack:C1"}}, {"requiresTrigger", false}});
  connect_slack();
  BOOST_TEST_REQUIRE(slack.wait_connections(1, 10s));
  slack.inject_message("C1", "I said this", "UBOT");
  auto stored = wait_events("channel.message_received", 1);
  BOOST_REQUIRE(stored.size() == 1u);
  BOOST_TEST(stored[0]["data"]["fromMe"] == true);
  BOOST_TEST(stored[0]["data"]["isBot"] == true);
  slack.inject_message("C1", "a human");
  BOOST_REQUIRE(wait_events("channel.message_received", 2).size() == 2u);
  BOOST_TEST(wait_events("message.queued", 1).size() == 1u);
  BOOST_TEST(events_of("message.queued")[0].dump().find("a human") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_refresh_requested_disconnect_reconnects_and_messages_keep_coming) {
  create("team", json{{"chatJids", {"slack:C1"}}});
  connect_slack();
  BOOST_TEST_REQUIRE(slack.wait_connections(1, 10s));
  slack.send_disconnect("refresh_requested");
  BOOST_TEST_REQUIRE(slack.wait_connections(2, 10s));
  auto env = slack.inject_message("C1", "after the refresh");
  BOOST_TEST(slack.wait_acked(env, 10s));
  BOOST_TEST(wait_events("channel.message_received", 1).size() == 1u);
}

BOOST_AUTO_TEST_CASE(replies_go_to_the_thread_and_long_ones_are_split_at_4000_characters) {
  create("team", json{{"chatJids", {"slack:C1"}}});
  connect_slack();
  BOOST_TEST_REQUIRE(slack.wait_connections(1, 10s));
  slack.inject_message("C1", "in a thread", "U42", "1700000000.000001");
  BOOST_REQUIRE(wait_events("channel.message_received", 1).size() == 1u);
  auto res = client->post(channels + "/messages",
                          json{{"chatJid", "slack:C1"}, {"text", std::string(4500, 'x')}});
  BOOST_TEST_REQUIRE(res.status == 202, res.body);
  BOOST_TEST_REQUIRE(slack.wait_sent(2, 10s));
  auto sent = slack.sent();
  BOOST_TEST(sent[0].text.size() == 4000u);
  BOOST_TEST(sent[1].text.size() == 500u);
  BOOST_TEST(sent[0].channel == "C1");
  BOOST_TEST(sent[0].thread_ts == "1700000000.000001");
}

BOOST_AUTO_TEST_CASE(the_events_api_checks_signatures_and_timestamps_and_deduplicates_retries) {
  create("team", json{{"chatJids", {"slack:C9", "slack:C2"}}});
  connect_slack(false);
  auto challenge = json{{"token", "t"}, {"challenge", "3eZbrw1aBm2rZgRNFdxV"},
                        {"type", "url_verification"}}
                     .dump();
  auto answered = post_event(*this, challenge, slack_secret, now_secs());
  BOOST_TEST_REQUIRE(answered.status == 200, answered.body);
  BOOST_TEST(answered.body == "3eZbrw1aBm2rZgRNFdxV");
  auto body = emu::slack_emulator::event_body("C9", "U42", "@Andy echo: hi", "Ev1",
                                              "1700000000.000100")
                .dump();
  // A wrong secret, a stale and a future timestamp, no signature: refused.
  BOOST_TEST(post_event(*this, body, "wrong-secret", now_secs()).status == 401);
  BOOST_TEST(post_event(*this, body, slack_secret, now_secs() - 301).status == 401);
  BOOST_TEST(post_event(*this, body, slack_secret, now_secs() + 301).status == 401);
  auto unsigned_res = client->request("POST", channels + "/slack/events", body,
                                      {"Content-Type: application/json"});
  BOOST_TEST(unsigned_res.status == 401);
  BOOST_TEST(events_of("channel.message_received").empty());
  // A good one is ingested once, even when Slack retries it.
  BOOST_TEST(post_event(*this, body, slack_secret, now_secs()).status == 200);
  BOOST_TEST(post_event(*this, body, slack_secret, now_secs(),
                        {"X-Slack-Retry-Num: 1", "X-Slack-Retry-Reason: http_timeout"})
               .status
             == 200);
  auto stored = wait_events("channel.message_received", 1);
  BOOST_REQUIRE(stored.size() == 1u);
  BOOST_TEST(stored[0]["data"]["chatJid"] == "slack:C9");
  BOOST_TEST(stored[0]["data"]["chatName"] == "C9"); // the bot is not a member: no name
  BOOST_TEST(stored[0]["data"]["senderName"] == "Ann");
  BOOST_TEST(wait_events("message.queued", 1).size() == 1u);
  std::this_thread::sleep_for(200ms);
  BOOST_TEST(events_of("channel.message_received").size() == 1u);
  // A channel of the listing's second page is named without another listing.
  auto random = emu::slack_emulator::event_body("C2", "U42", "over here", "Ev2",
                                                "1700000000.000200")
                  .dump();
  BOOST_TEST(post_event(*this, random, slack_secret, now_secs()).status == 200);
  auto both = wait_events("channel.message_received", 2);
  BOOST_REQUIRE(both.size() == 2u);
  BOOST_TEST(both[1]["data"]["chatName"] == "random");
  BOOST_TEST(slack.listings() == 2u);
}

BOOST_AUTO_TEST_CASE(the_events_route_is_404_while_slack_does_not_use_the_events_api) {
  auto body = emu::slack_emulator::event_body("C9", "U42", "hi", "Ev1", "1700000000.000100").dump();
  BOOST_TEST(post_event(*this, body, slack_secret, now_secs()).status == 404);
  connect_slack(true);
  BOOST_TEST(post_event(*this, body, slack_secret, now_secs()).status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
