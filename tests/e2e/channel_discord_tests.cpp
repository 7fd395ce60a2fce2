#include <boost/test/unit_test.hpp>

#include <set>

#include "tests/e2e/channel_fixture.hpp"

using namespace pincer;
using namespace pincer::e2e;
using namespace std::chrono_literals;

BOOST_FIXTURE_TEST_SUITE(e2e_channels_discord, channel_fixture)

BOOST_AUTO_TEST_CASE(validate_answers_the_bot_account_for_a_good_token_and_a_reason_for_a_bad_one) {
  auto good = client->post(channels + "/discord/validate", json{{"botToken", dc_token}});
  BOOST_TEST_REQUIRE(good.status == 200, good.body);
  BOOST_TEST(good.json_body()["valid"] == true);
  BOOST_TEST(good.json_body()["account"]["id"] == "900100");
  auto bad = client->post(channels + "/discord/validate", json{{"botToken", "nope"}});
  BOOST_TEST_REQUIRE(bad.status == 200, bad.body);
  BOOST_TEST(bad.json_body()["valid"] == false);
  auto refused = client->post(channels + "/discord/connect", json{{"botToken", "nope"}});
  BOOST_TEST(refused.status == 400);
  BOOST_TEST(refused.json_body()["error"]["details"]["field"] == "botToken", refused.body);
}

BOOST_AUTO_TEST_CASE(connect_identifies_with_the_message_content_intent_and_ingests_mapped_messages) {
  create("team", json{{"chatJids", {"dc:555"}}});
  auto view = connect_discord();
  BOOST_TEST(view["status"] == "connected");
  BOOST_TEST_REQUIRE(discord.wait_sessions(1, 10s));
  BOOST_TEST((discord.intents() & (1 << 15)) != 0);
  BOOST_TEST((discord.intents() & (1 << 9)) != 0);
  discord.inject_message("555", "@Andy echo: hi");
  auto stored = wait_events("channel.message_received", 1);
  BOOST_REQUIRE(stored.size() == 1u);
  BOOST_TEST(stored[0]["data"]["chatJid"] == "dc:555");
  BOOST_TEST(stored[0]["data"]["chatName"] == "Acme #general"); // from GUILD_CREATE
  BOOST_TEST(stored[0]["data"]["content"] == "@Andy echo: hi");
  BOOST_TEST(stored[0]["data"]["sender"] == "42");
  BOOST_TEST(stored[0]["data"]["isGroup"] == true);
  auto queued = wait_events("message.queued", 1);
  BOOST_REQUIRE(queued.size() == 1u);
  BOOST_TEST(queued[0]["stream"] == "group/team");
  // The bot's own messages are not ingested.
  discord.inject_message("555", "@Andy from myself", "900100", "andy");
  discord.inject_message("555", "after", "42", "ann");
  BOOST_REQUIRE(wait_events("channel.message_received", 2).size() == 2u);
  BOOST_TEST(events_of("channel.message_received")[1]["data"]["content"] == "after");
}

BOOST_AUTO_TEST_CASE(a_dropped_gateway_connection_resumes_without_losing_or_duplicating_a_message) {
  create("team", json{{"chatJids", {"dc:555"}}});
  connect_discord();
  BOOST_TEST_REQUIRE(discord.wait_sessions(1, 10s));
  auto first = discord.inject_message("555", "one");
  BOOST_REQUIRE(wait_events("channel.message_received", 1).size() == 1u);
  discord.drop_connection();
  auto second = discord.inject_message("555", "two"); // while away: replayed on RESUME
  BOOST_TEST_REQUIRE(discord.wait_sessions(2, 10s));
  auto third = discord.inject_message("555", "three");
  BOOST_REQUIRE(wait_events("channel.message_received", 3).size() == 3u);
  BOOST_TEST(discord.identifies() == 1u);
  BOOST_TEST(discord.resumes() == 1u);
  // Nothing more arrives: each message exactly once.
  discord.inject_message("555", "four");
  BOOST_REQUIRE(wait_events("channel.message_received", 4).size() == 4u);
  auto ids = received_ids();
  BOOST_TEST(ids.size() == 4u);
  BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == 4u);
  BOOST_TEST(ids[0] == first);
  BOOST_TEST(ids[1] == second);
  BOOST_TEST(ids[2] == third);
}

BOOST_AUTO_TEST_CASE(a_missed_heartbeat_ack_reconnects_and_resumes) {
  discord.set_heartbeat_ms(150);
  discord.set_acks(false);
  create("team", json{{"chatJids", {"dc:555"}}});
  connect_discord();
  BOOST_TEST_REQUIRE(discord.wait_sessions(1, 10s));
  BOOST_TEST_REQUIRE(discord.wait_sessions(2, 10s), "no reconnect after missing ACKs");
  BOOST_TEST(discord.resumes() >= 1u);
  BOOST_TEST(discord.connections() >= 2u);
  discord.set_acks(true);
  discord.inject_message("555", "still here");
  BOOST_TEST(wait_events("channel.message_received", 1).size() == 1u);
}

BOOST_AUTO_TEST_CASE(op_7_resumes_op_9_identifies_afresh_and_close_4004_is_a_channel_error) {
  connect_discord();
  BOOST_TEST_REQUIRE(discord.wait_sessions(1, 10s));
  discord.send_op(7);
  BOOST_TEST_REQUIRE(discord.wait_sessions(2, 10s));
  BOOST_TEST(discord.resumes() == 1u);
  discord.send_op(9, false);
  BOOST_TEST_REQUIRE(discord.wait_sessions(3, 10s));
  BOOST_TEST(discord.identifies() == 2u);
  discord.close_with(4004);
  BOOST_TEST(eventually([&] { return get_ok(channels + "/discord")["status"] == "error"; }));
  auto view = get_ok(channels + "/discord");
  BOOST_TEST(view["lastError"].get<std::string>().find("4004") != std::string::npos,
             view.dump());
  auto connections = discord.connections();
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(discord.connections() == connections); // no reconnect loop
}

BOOST_AUTO_TEST_CASE(rate_limit_buckets_are_respected_so_no_request_is_sent_before_the_reset) {
  connect_discord();
  discord.set_bucket(1, 0.4);
  for (auto text : {"first", "second", "third"}) {
    auto res = client->post(channels + "/messages", json{{"chatJid", "dc:555"}, {"text", text}});
    BOOST_TEST_REQUIRE(res.status == 202, res.body);
  }
  BOOST_TEST_REQUIRE(discord.wait_sent(3, 10s));
  BOOST_TEST(discord.violations() == 0u);
  auto sent = discord.sent();
  BOOST_TEST(sent[0].content == "first");
  BOOST_TEST(sent[1].content == "second");
  BOOST_TEST(sent[2].content == "third");
  BOOST_TEST(((sent[2].at - sent[1].at) >= 300ms));
}

BOOST_AUTO_TEST_CASE(a_global_429_body_holds_every_request_until_retry_after) {
  connect_discord();
  discord.fail_next_send(0.5, true);
  auto start = std::chrono::steady_clock::now();
  for (auto text : {"a", "b"})
    BOOST_TEST_REQUIRE(
      client->post(channels + "/messages", json{{"chatJid", "dc:555"}, {"text", text}}).status
      == 202);
  BOOST_TEST_REQUIRE(discord.wait_sent(2, 10s));
  BOOST_TEST(discord.violations() == 0u);
  BOOST_TEST(((discord.sent()[0].at - start) >= 450ms));
  BOOST_TEST(discord.sent()[0].content == "a");
}

BOOST_AUTO_TEST_CASE(a_2500_character_reply_arrives_as_two_messages_in_order) {
  connect_discord();
  std::string text;
  for (int i = 0; text.size() < 2500; ++i)
    text += "word" + std::to_string(i) + " ";
  text = text.substr(0, 2500);
  auto res = client->post(channels + "/messages", json{{"chatJid", "dc:555"}, {"text", text}});
  BOOST_TEST_REQUIRE(res.status == 202, res.body);
  BOOST_TEST(res.json_body()["parts"] == 2);
  BOOST_TEST_REQUIRE(discord.wait_sent(2, 10s));
  auto sent = discord.sent();
  BOOST_TEST(sent.size() == 2u);
  BOOST_TEST(sent[0].content.size() <= 2000u);
  BOOST_TEST(sent[0].channel_id == "555");
  BOOST_TEST(text.rfind(sent[0].content, 0) == 0u);
  BOOST_TEST(text.find(sent[1].content) == text.size() - sent[1].content.size());
}

BOOST_AUTO_TEST_CASE(disconnect_stops_the_gateway_session) {
  connect_discord();
  BOOST_TEST_REQUIRE(discord.wait_sessions(1, 10s), server->output());
  auto res = client->post(channels + "/discord/disconnect", json::object());
  BOOST_TEST_REQUIRE(res.status == 200, res.body);
  BOOST_TEST(res.json_body()["status"] == "disconnected");
  discord.inject_message("555", "nobody listens");
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(events_of("channel.message_received").empty());
}

BOOST_AUTO_TEST_SUITE_END()
