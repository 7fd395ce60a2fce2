#include <boost/test/unit_test.hpp>

#include "tests/e2e/channel_fixture.hpp"

using namespace pincer;
using namespace pincer::e2e;

BOOST_FIXTURE_TEST_SUITE(e2e_channels_api, channel_fixture)

BOOST_AUTO_TEST_CASE(every_channel_is_listed_and_starts_disconnected) {
  auto list = get_ok(channels);
  BOOST_REQUIRE(list.size() == 4u);
  std::vector<std::string> names;
  for (auto& c : list) {
    names.push_back(c["name"]);
    BOOST_TEST(c["status"] == "disconnected");
    BOOST_TEST(c["account"].is_null());
    BOOST_TEST(c["connectedAt"].is_null());
    BOOST_TEST(c["lastError"].is_null());
    BOOST_TEST(c["messagesIn"] == 0);
    BOOST_TEST(c["messagesOut"] == 0);
  }
  BOOST_TEST((names == std::vector<std::string>{"telegram", "slack", "discord", "whatsapp"}));
  BOOST_TEST(get_ok(channels + "/whatsapp")["name"] == "whatsapp");
  check_error(client->get(channels + "/irc"), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(bad_channel_commands_are_refused_and_change_nothing) {
  auto before = last_seq();
  check_error(client->post(channels + "/irc/connect", json::object()), 404, "not_found");
  check_error(client->post(channels + "/slack/connect", json{{"botToken", "xoxb-1"}}), 400,
              "validation_failed", "appToken");
  check_error(client->post(channels + "/discord/connect", json::object()), 400,
              "validation_failed", "botToken");
  check_error(client->post(channels + "/telegram/connect", json::object()), 400,
              "validation_failed", "botToken");
  check_error(client->post(channels + "/telegram/connect", json{{"botToken", 12}}), 400,
              "validation_failed", "botToken");
  check_error(client->post(channels + "/telegram/connect",
                           json{{"botToken", bot_token}, {"baseUrl", "file:///etc"}}),
              400, "validation_failed", "baseUrl");
  check_error(client->post(channels + "/telegram/validate", json{{"botToken", ""}}), 400,
              "validation_failed", "botToken");
  check_error(client->post(channels + "/whatsapp/connect",
                           json{{"accessToken", wa_token}, {"phoneNumberId", wa_phone}}),
              400, "validation_failed", "verifyToken");
  check_error(client->request("POST", channels + "/telegram/connect", "{", {}), 400,
              "invalid_json");
  check_error(client->request("POST", channels + "/telegram/connect", "x",
                              {"Content-Type: text/plain"}),
              415, "unsupported_media_type");
  check_error(client->get(channels + "/telegram/connect"), 405, "method_not_allowed");
  BOOST_TEST(last_seq() == before);
}

BOOST_AUTO_TEST_CASE(bad_outbound_messages_are_refused_and_change_nothing) {
  auto before = last_seq();
  auto post = [&](json body) { return client->post(channels + "/messages", body); };
  check_error(post(json::object()), 400, "validation_failed", "chatJid");
  check_error(post(json{{"chatJid", "irc:#x"}, {"text", "hi"}}), 400, "validation_failed",
              "chatJid");
  check_error(post(json{{"chatJid", 5}, {"text", "hi"}}), 400, "validation_failed", "chatJid");
  check_error(post(json{{"chatJid", "tg:1"}}), 400, "validation_failed", "text");
  check_error(post(json{{"chatJid", "tg:1"}, {"text", ""}}), 400, "validation_failed", "text");
  check_error(post(json{{"chatJid", "tg:1"}, {"text", std::string(100001, 'x')}}), 400,
              "validation_failed", "text");
  // A channel never configured.
  check_error(post(json{{"chatJid", "tg:1"}, {"text", "hi"}}), 400, "validation_failed",
              "chatJid");
  check_error(post(json{{"chatJid", "slack:C1"}, {"text", "hi"}}), 400, "validation_failed",
              "chatJid");
  check_error(client->get(channels + "/messages"), 405, "method_not_allowed");
  BOOST_TEST(last_seq() == before);
}

BOOST_AUTO_TEST_CASE(the_sender_allowlist_round_trips_and_bad_bodies_leave_it_unchanged) {
  auto initial = get_ok(channels + "/sender-allowlist");
  BOOST_TEST(initial == json::parse(R"({"default":{"allow":"*","mode":"trigger"},"chats":{},
                                        "logDenied":true})"));
  auto body = json::parse(R"({"default":{"allow":["1","2"],"mode":"trigger"},
                              "chats":{"wa:15550001111":{"allow":"*","mode":"drop"}},
                              "logDenied":false})");
  auto put = client->put(channels + "/sender-allowlist", body);
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  auto stored = get_ok(channels + "/sender-allowlist");
  BOOST_TEST(stored["chats"].contains("15550001111@s.whatsapp.net"));
  BOOST_TEST(stored["default"]["allow"] == json({"1", "2"}));
  auto before = last_seq();
  check_error(client->put(channels + "/sender-allowlist",
                          json::parse(R"({"default":{"allow":"*","mode":"maybe"}})")),
              400, "validation_failed", "default.mode");
  check_error(client->put(channels + "/sender-allowlist",
                          json::parse(R"({"chats":{"bad":{"allow":"*","mode":"drop"}}})")),
              400, "validation_failed", "chats.bad");
  check_error(client->put(channels + "/sender-allowlist", json::parse(R"({"logDenied":1})")),
              400, "validation_failed", "logDenied");
  BOOST_TEST(last_seq() == before);
  BOOST_TEST(get_ok(channels + "/sender-allowlist") == stored);
  restart();
  BOOST_TEST(get_ok(channels + "/sender-allowlist") == stored);
}

BOOST_AUTO_TEST_CASE(bad_chat_queries_are_refused) {
  BOOST_TEST(get_ok(channels + "/chats").empty());
  check_error(client->get(channels + "/chats?channel=irc"), 400, "validation_failed", "channel");
  check_error(client->get(channels + "/chats/irc:1/messages"), 400, "validation_failed", "jid");
  check_error(client->get(channels + "/chats/tg:1/messages?limit=0"), 400, "validation_failed",
              "limit");
  check_error(client->get(channels + "/chats/tg:1/messages?cursor=abc"), 400,
              "validation_failed", "cursor");
  auto empty = get_ok(channels + "/chats/tg:1/messages");
  BOOST_TEST(empty == json::parse(R"({"items":[],"nextCursor":null})"));
}

BOOST_AUTO_TEST_CASE(chat_messages_are_paginated_newest_first) {
  create("team", json{{"chatJids", {"tg:-1001"}}});
  connect_telegram();
  for (int i = 0; i < 5; ++i)
    telegram.inject_message(-1001, "m" + std::to_string(i), 42, "Ann", "group");
  BOOST_TEST_REQUIRE(wait_events("channel.message_received", 5).size() == 5u);
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    auto body = get_ok(channels + "/chats/tg:-1001/messages?limit=2"
                       + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (auto& m : body["items"])
      seen.push_back(m["content"]);
    if (body["nextCursor"].is_null())
      break;
    cursor = body["nextCursor"].get<std::string>();
  }
  BOOST_TEST((seen == std::vector<std::string>{"m4", "m3", "m2", "m1", "m0"}));
}

BOOST_AUTO_TEST_CASE(the_webhook_refuses_what_a_disconnected_channel_cannot_check) {
  check_error(client->get(channels + "/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=x"
                                     "&hub.challenge=1"),
              403, "forbidden");
  check_error(client->request("POST", channels + "/whatsapp/webhook", "{}",
                              {"X-Hub-Signature-256: sha256=00"}),
              404, "not_found");
  check_error(client->request("PUT", channels + "/whatsapp/webhook", "{}", {}), 405,
              "method_not_allowed");
}

BOOST_AUTO_TEST_SUITE_END()
