#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "tests/e2e/channel_fixture.hpp"

using namespace pincer;
using namespace pincer::e2e;
using namespace std::chrono_literals;

BOOST_FIXTURE_TEST_SUITE(e2e_channels_telegram, channel_fixture)

BOOST_AUTO_TEST_CASE(validate_answers_the_account_for_a_good_token_and_a_reason_for_a_bad_one) {
  auto good = client->post(channels + "/telegram/validate", json{{"botToken", bot_token}});
  BOOST_TEST_REQUIRE(good.status == 200, good.body);
  BOOST_TEST(good.json_body() == json::parse(R"({"valid":true,"account":{"id":"4242","name":"andy_bot"}})"));
  auto bad = client->post(channels + "/telegram/validate", json{{"botToken", "4242:wrong"}});
  BOOST_TEST_REQUIRE(bad.status == 200, bad.body);
  BOOST_TEST(bad.json_body()["valid"] == false);
  BOOST_TEST(bad.json_body()["message"].get<std::string>().find("Unauthorized") != std::string::npos);
  auto down = client->post(channels + "/telegram/validate",
                           json{{"botToken", bot_token}, {"baseUrl", "http://127.0.0.1:1"}});
  check_error(down, 502, "upstream_error");
  BOOST_TEST(events_of("channel.connected").empty());
}

BOOST_AUTO_TEST_CASE(connect_with_a_bad_token_is_a_clear_error_and_changes_nothing) {
  auto before = last_seq();
  auto res = client->post(channels + "/telegram/connect", json{{"botToken", "4242:wrong"}});
  check_error(res, 400, "validation_failed", "botToken");
  BOOST_TEST(res.json_body()["error"]["message"].get<std::string>().find("Unauthorized")
             != std::string::npos);
  BOOST_TEST(last_seq() == before);
  BOOST_TEST(get_ok(channels + "/telegram")["status"] == "disconnected");
}

BOOST_AUTO_TEST_CASE(connect_stores_the_token_sealed_and_never_shows_it) {
  auto view = connect_telegram();
  BOOST_TEST(view["name"] == "telegram");
  BOOST_TEST(view["status"] == "connected");
  BOOST_TEST(view["account"] == json::parse(R"({"id":"4242","name":"andy_bot"})"));
  BOOST_TEST(view["connectedAt"].is_string());
  auto list = get_ok(channels);
  BOOST_REQUIRE(list.size() == 4u);
  BOOST_TEST(list[0]["name"] == "telegram");
  BOOST_TEST(list[1]["status"] == "disconnected");
  std::string secret = "emulated_SECRET_token";
  BOOST_TEST(get_ok(api + "/events?limit=1000").dump().find(secret) == std::string::npos);
  BOOST_TEST(audit_items().dump().find(secret) == std::string::npos);
  BOOST_TEST(list.dump().find(secret) == std::string::npos);
  auto connected = events_of("channel.connected");
  BOOST_REQUIRE(connected.size() == 1u);
  // Sealed (AES-256-GCM); display forms may show it as `[redacted]`.
  auto& token = connected[0]["data"]["secrets"]["botToken"];
  BOOST_TEST((token == "[redacted]" || (token.is_object() && token["sealed"] == "aes-256-gcm")),
             token.dump());
  BOOST_TEST(server->output().find(secret) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_triggering_message_in_a_mapped_chat_becomes_a_pending_message_of_the_group) {
  create("team", json{{"chatJids", {"tg:-1001"}}});
  connect_telegram();
  telegram.inject_message(-1001, "just chatting", 42, "Ann", "supergroup");
  telegram.inject_message(-1001, "@Andy echo: hi", 42, "Ann", "supergroup");
  auto stored = wait_events("channel.message_received", 2);
  BOOST_REQUIRE(stored.size() == 2u);
  BOOST_TEST(stored[1]["data"]["content"] == "@Andy echo: hi");
  BOOST_TEST(stored[1]["data"]["chatJid"] == "tg:-1001");
  BOOST_TEST(stored[1]["data"]["isGroup"] == true);
  auto queued = wait_events("message.queued", 1);
  BOOST_REQUIRE(queued.size() == 1u);
  BOOST_TEST(queued[0]["stream"] == "group/team");
  BOOST_TEST(queued[0].dump().find("@Andy echo: hi") != std::string::npos);
  BOOST_TEST(queued[0].dump().find("channel:telegram") != std::string::npos);
  // Both messages are in the chat history, newest first.
  auto page = get_ok(channels + "/chats/tg:-1001/messages");
  BOOST_REQUIRE(page["items"].size() == 2u);
  BOOST_TEST(page["items"][0]["content"] == "@Andy echo: hi");
  BOOST_TEST(page["items"][0]["sender"] == "42");
  BOOST_TEST(page["items"][0]["fromMe"] == false);
  auto chats = get_ok(channels + "/chats?channel=telegram");
  BOOST_REQUIRE(chats.size() == 1u);
  BOOST_TEST(chats[0]["jid"] == "tg:-1001");
  BOOST_TEST(chats[0]["namespace"] == "team");
  BOOST_TEST(chats[0]["isGroup"] == true);
}

BOOST_AUTO_TEST_CASE(messages_from_unmapped_chats_only_update_the_chat_list) {
  connect_telegram();
  telegram.inject_message(555, "hello there", 555, "Bob");
  BOOST_TEST_REQUIRE(wait_events("channel.chat_seen", 1).size() == 1u);
  BOOST_TEST(events_of("channel.message_received").empty());
  auto chats = get_ok(channels + "/chats");
  BOOST_REQUIRE(chats.size() == 1u);
  BOOST_TEST(chats[0]["jid"] == "tg:555");
  BOOST_TEST(chats[0]["name"] == "Bob");
  BOOST_TEST(chats[0]["namespace"].is_null());
  BOOST_TEST(get_ok(channels + "/chats/tg:555/messages")["items"].empty());
}

BOOST_AUTO_TEST_CASE(duplicate_provider_message_ids_are_ignored) {
  create("team", json{{"chatJids", {"tg:-1001"}}});
  connect_telegram();
  telegram.inject_message(-1001, "first", 42, "Ann", "group", 77);
  telegram.inject_message(-1001, "first again", 42, "Ann", "group", 77);
  telegram.inject_message(-1001, "second", 42, "Ann", "group", 78);
  BOOST_TEST_REQUIRE(wait_events("channel.message_received", 2).size() == 2u);
  std::this_thread::sleep_for(300ms);
  auto ids = received_ids();
  BOOST_TEST(std::count(ids.begin(), ids.end(), "77") == 1);
  BOOST_TEST(std::count(ids.begin(), ids.end(), "78") == 1);
}

BOOST_AUTO_TEST_CASE(messages_are_delivered_in_order_and_long_ones_are_split) {
  connect_telegram();
  std::string long_text;
  for (int i = 0; i < 700; ++i)
    long_text += "line " + std::to_string(i) + "\n";
  BOOST_REQUIRE(long_text.size() > 4096);
  auto first = client->post(channels + "/messages", json{{"chatJid", "tg:42"}, {"text", "one"}});
  BOOST_TEST_REQUIRE(first.status == 202, first.body);
  BOOST_TEST(first.json_body()["channel"] == "telegram");
  BOOST_TEST(first.json_body()["chatJid"] == "tg:42");
  BOOST_TEST(first.json_body()["parts"] == 1);
  BOOST_TEST(first.json_body()["id"].is_string());
  auto second = client->post(channels + "/messages", json{{"chatJid", "tg:42"}, {"text", long_text}});
  BOOST_TEST_REQUIRE(second.status == 202, second.body);
  BOOST_TEST(second.json_body()["parts"] == 2);
  client->post(channels + "/messages", json{{"chatJid", "tg:42"}, {"text", "three"}});
  BOOST_TEST_REQUIRE(telegram.wait_sent(4, 10s));
  auto sent = telegram.sent();
  BOOST_REQUIRE(sent.size() == 4u);
  BOOST_TEST(sent[0].text == "one");
  BOOST_TEST(sent[1].text + "\n" + sent[2].text == long_text);
  BOOST_TEST(sent[1].text.back() != '\n');
  BOOST_TEST(sent[3].text == "three");
  BOOST_TEST(sent[0].chat_id == 42);
  BOOST_TEST(eventually([&] { return get_ok(channels + "/telegram")["messagesOut"] == 3; }));
  auto page = get_ok(channels + "/chats/tg:42/messages");
  BOOST_REQUIRE(page["items"].size() == 3u);
  BOOST_TEST(page["items"][0]["content"] == "three");
  BOOST_TEST(page["items"][0]["fromMe"] == true);
}

BOOST_AUTO_TEST_CASE(a_429_with_retry_after_is_honoured_before_sending_again) {
  connect_telegram();
  telegram.fail_sends(1, 2);
  auto res = client->post(channels + "/messages", json{{"chatJid", "tg:42"}, {"text", "patience"}});
  BOOST_TEST_REQUIRE(res.status == 202, res.body);
  BOOST_TEST(res.json_body()["status"] == "queued");
  BOOST_TEST_REQUIRE(telegram.wait_sent(1, 10s));
  auto refused = telegram.refused();
  BOOST_REQUIRE(refused.size() == 1u);
  auto sent = telegram.sent();
  BOOST_REQUIRE(sent.size() == 1u);
  BOOST_TEST(sent[0].text == "patience");
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(sent[0].at - refused[0]);
  BOOST_TEST(waited.count() >= 1900, "waited only " << waited.count() << " ms");
}

BOOST_AUTO_TEST_CASE(while_the_provider_is_down_messages_wait_and_then_arrive_in_order) {
  connect_telegram();
  telegram.set_down(true);
  for (auto text : {"one", "two", "three"}) {
    auto res = client->post(channels + "/messages", json{{"chatJid", "tg:42"}, {"text", text}});
    BOOST_TEST_REQUIRE(res.status == 202, res.body);
    BOOST_TEST(res.json_body()["status"] == "queued");
  }
  BOOST_TEST_REQUIRE(eventually([&] { return telegram.refused().size() >= 2; }, 10s));
  BOOST_TEST(get_ok(channels + "/telegram")["queued"] == 3);
  BOOST_TEST(events_of("channel.message_failed").empty());
  telegram.set_down(false);
  BOOST_TEST_REQUIRE(telegram.wait_sent(3, 20s));
  auto sent = telegram.sent();
  BOOST_TEST(sent[0].text == "one");
  BOOST_TEST(sent[1].text == "two");
  BOOST_TEST(sent[2].text == "three");
  BOOST_TEST(eventually([&] { return get_ok(channels + "/telegram")["queued"] == 0; }));
}

BOOST_AUTO_TEST_CASE(a_message_to_a_connected_idle_channel_answers_sent) {
  connect_telegram();
  auto res = client->post(channels + "/messages", json{{"chatJid", "tg:42"}, {"text", "now"}});
  BOOST_TEST_REQUIRE(res.status == 202, res.body);
  BOOST_TEST(res.json_body()["status"] == "sent");
  BOOST_TEST(telegram.sent().size() == 1u);
}

BOOST_AUTO_TEST_CASE(messages_queued_while_disconnected_are_sent_on_reconnect_in_order) {
  connect_telegram();
  auto off = client->post(channels + "/telegram/disconnect", json::object());
  BOOST_TEST_REQUIRE(off.status == 200, off.body);
  BOOST_TEST(off.json_body()["status"] == "disconnected");
  for (auto text : {"a", "b", "c"}) {
    auto res = client->post(channels + "/messages", json{{"chatJid", "tg:42"}, {"text", text}});
    BOOST_TEST_REQUIRE(res.status == 202, res.body);
    BOOST_TEST(res.json_body()["status"] == "queued");
  }
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(telegram.sent().empty());
  restart(); // the outbox is durable
  BOOST_TEST(get_ok(channels + "/telegram")["queued"] == 3);
  connect_telegram();
  BOOST_TEST_REQUIRE(telegram.wait_sent(3, 10s));
  auto sent = telegram.sent();
  BOOST_TEST(sent[0].text == "a");
  BOOST_TEST(sent[1].text == "b");
  BOOST_TEST(sent[2].text == "c");
}

BOOST_AUTO_TEST_CASE(a_restart_resumes_at_the_stored_offset_without_handling_an_update_twice) {
  create("team", json{{"chatJids", {"tg:-1001"}}});
  connect_telegram();
  auto first = telegram.inject_message(-1001, "@Andy before", 42, "Ann", "group");
  BOOST_TEST_REQUIRE(wait_events("channel.message_received", 1).size() == 1u);
  BOOST_TEST_REQUIRE(telegram.wait_offset(first + 1, 10s));
  stop();
  auto second = telegram.inject_message(-1001, "@Andy after", 42, "Ann", "group");
  start_channels();
  BOOST_TEST(get_ok(channels + "/telegram")["status"] != "disconnected");
  BOOST_TEST_REQUIRE(wait_events("channel.message_received", 2).size() == 2u);
  BOOST_TEST(eventually([&] { return get_ok(channels + "/telegram")["status"] == "connected"; }));
  BOOST_TEST(telegram.wait_offset(second + 1, 10s));
  std::this_thread::sleep_for(300ms);
  auto stored = events_of("channel.message_received");
  BOOST_REQUIRE(stored.size() == 2u);
  BOOST_TEST(stored[0]["data"]["content"] == "@Andy before");
  BOOST_TEST(stored[1]["data"]["content"] == "@Andy after");
  auto delivered = telegram.delivered();
  BOOST_TEST(std::count(delivered.begin(), delivered.end(), first) == 1);
  BOOST_TEST(events_of("message.queued").size() == 2u);
}

BOOST_AUTO_TEST_CASE(chatid_and_ping_are_answered_and_not_stored) {
  create("team", json{{"chatJids", {"tg:-1001"}}});
  connect_telegram();
  telegram.inject_message(-1001, "/chatid", 42, "Ann", "supergroup");
  telegram.inject_message(-1001, "/ping", 42, "Ann", "supergroup");
  BOOST_TEST_REQUIRE(telegram.wait_sent(2, 10s));
  auto sent = telegram.sent();
  BOOST_TEST(sent[0].text.find("tg:-1001") != std::string::npos);
  BOOST_TEST(sent[0].text.find("supergroup") != std::string::npos);
  BOOST_TEST(sent[1].text == "Andy is online.");
  BOOST_TEST(events_of("channel.message_received").empty());
  BOOST_TEST(events_of("message.queued").empty());
}

BOOST_AUTO_TEST_CASE(a_server_stops_promptly_while_a_long_poll_is_open) {
  connect_telegram();
  BOOST_TEST_REQUIRE(eventually([&] { return !telegram.offsets().empty(); }));
  auto begin = std::chrono::steady_clock::now();
  stop();
  BOOST_TEST((std::chrono::steady_clock::now() - begin < 10s));
}

BOOST_AUTO_TEST_CASE(disconnect_stops_receiving_and_survives_a_restart) {
  create("team", json{{"chatJids", {"tg:-1001"}}});
  connect_telegram();
  auto res = client->post(channels + "/telegram/disconnect", json::object());
  BOOST_TEST_REQUIRE(res.status == 200, res.body);
  BOOST_TEST(res.json_body()["account"].is_null());
  telegram.inject_message(-1001, "@Andy anyone?", 42, "Ann", "group");
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(events_of("channel.message_received").empty());
  restart();
  BOOST_TEST(get_ok(channels + "/telegram")["status"] == "disconnected");
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(events_of("channel.message_received").empty());
}

BOOST_AUTO_TEST_CASE(drop_mode_discards_other_senders_before_anything_is_stored) {
  create("team", json{{"chatJids", {"tg:-1001"}}});
  auto put = client->put(channels + "/sender-allowlist",
                         json::parse(R"({"chats":{"tg:-1001":{"allow":["42"],"mode":"drop"}}})"));
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  connect_telegram();
  telegram.inject_message(-1001, "@Andy from a stranger", 99, "Eve", "group");
  telegram.inject_message(-1001, "@Andy from a friend", 42, "Ann", "group");
  auto stored = wait_events("channel.message_received", 1);
  BOOST_REQUIRE(stored.size() == 1u);
  BOOST_TEST(stored[0]["data"]["sender"] == "42");
  BOOST_TEST(wait_events("message.queued", 1).size() == 1u);
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(events_of("channel.message_received").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
