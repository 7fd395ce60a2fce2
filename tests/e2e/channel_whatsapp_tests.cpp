#include <boost/test/unit_test.hpp>

#include "tests/e2e/channel_fixture.hpp"

using namespace pincer;
using namespace pincer::e2e;
using namespace std::chrono_literals;

namespace {

const std::string webhook = channels + "/whatsapp/webhook";

/// Posts a webhook body with a signature header (none when empty).
http_response deliver(channel_fixture& f, const std::string& body, const std::string& signature) {
  std::vector<std::string> headers{"Content-Type: application/json"};
  if (!signature.empty())
    headers.push_back("X-Hub-Signature-256: " + signature);
  return f.client->request("POST", webhook, body, headers);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_channels_whatsapp, channel_fixture)

BOOST_AUTO_TEST_CASE(validate_checks_the_phone_number_with_the_token) {
  auto good = client->post(channels + "/whatsapp/validate",
                           json{{"accessToken", wa_token}, {"phoneNumberId", wa_phone}});
  BOOST_TEST_REQUIRE(good.status == 200, good.body);
  BOOST_TEST(good.json_body()["valid"] == true);
  BOOST_TEST(good.json_body()["account"] == json({{"id", wa_phone}, {"name", "Acme Support"}}));
  auto bad = client->post(channels + "/whatsapp/validate",
                          json{{"accessToken", "nope"}, {"phoneNumberId", wa_phone}});
  BOOST_TEST_REQUIRE(bad.status == 200, bad.body);
  BOOST_TEST(bad.json_body()["valid"] == false);
  BOOST_TEST(bad.json_body()["message"].get<std::string>().find("190") != std::string::npos);
  auto res = client->post(channels + "/whatsapp/connect",
                          json{{"accessToken", "nope"}, {"phoneNumberId", wa_phone},
                               {"verifyToken", wa_verify}, {"appSecret", wa_secret}});
  check_error(res, 400, "validation_failed", "accessToken");
  auto unknown = client->post(channels + "/whatsapp/connect",
                              json{{"accessToken", wa_token}, {"phoneNumberId", "999"},
                                   {"verifyToken", wa_verify}, {"appSecret", wa_secret}});
  check_error(unknown, 400, "validation_failed", "phoneNumberId");
  BOOST_TEST(events_of("channel.connected").empty());
}

BOOST_AUTO_TEST_CASE(the_webhook_verification_answers_the_challenge_only_for_the_verify_token) {
  connect_whatsapp();
  auto ok = client->get(webhook + "?hub.mode=subscribe&hub.verify_token=" + wa_verify
                        + "&hub.challenge=1158201444");
  BOOST_TEST_REQUIRE(ok.status == 200, ok.body);
  BOOST_TEST(ok.body == "1158201444");
  BOOST_TEST(ok.header("Content-Type").find("text/plain") == 0u);
  auto wrong = client->get(webhook + "?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1");
  check_error(wrong, 403, "forbidden");
  auto mode = client->get(webhook + "?hub.mode=unsubscribe&hub.verify_token=" + wa_verify
                          + "&hub.challenge=1");
  check_error(mode, 403, "forbidden");
}

BOOST_AUTO_TEST_CASE(the_webhook_needs_no_api_key_but_a_valid_signature) {
  stop();
  start({"--telegram-api-url", telegram.url(), "--whatsapp-api-url", whatsapp.url()},
        {{"PINCER_API_KEYS", std::string{"the-operator-key"}}});
  check_error(client->get(channels), 401, "unauthorized");
  client->default_headers({"X-API-Key: the-operator-key"});
  connect_whatsapp();
  auto before = last_seq();
  client->default_headers({});
  auto good = client->get(webhook + "?hub.mode=subscribe&hub.verify_token=" + wa_verify
                          + "&hub.challenge=7");
  BOOST_TEST(good.status == 200);
  auto delivery = emu::whatsapp_emulator::text_delivery(wa_phone, "16505551234", "Sheena",
                                                        "wamid.1", "hello");
  auto body = delivery.dump();
  check_error(deliver(*this, body, ""), 401, "unauthorized");
  check_error(deliver(*this, body, "sha256=" + std::string(64, '0')), 401, "unauthorized");
  check_error(deliver(*this, body, emu::whatsapp_emulator::signature("wrong-secret", body)), 401,
              "unauthorized");
  // Signed over other bytes than the ones sent.
  check_error(deliver(*this, body + " ", emu::whatsapp_emulator::signature(wa_secret, body)), 401,
              "unauthorized");
  std::this_thread::sleep_for(300ms);
  client->default_headers({"X-API-Key: the-operator-key"});
  BOOST_TEST(last_seq() == before);
  BOOST_TEST(get_ok(channels + "/chats").empty());
}

BOOST_AUTO_TEST_CASE(a_signed_delivery_is_answered_at_once_and_ingested) {
  create("support", json{{"chatJids", {"wa:16505551234"}}, {"requiresTrigger", false}});
  connect_whatsapp();
  auto res = deliver_whatsapp(emu::whatsapp_emulator::text_delivery(
                                     wa_phone, "16505551234", "Sheena", "wamid.1", "Is it red?"));
  BOOST_TEST_REQUIRE(res.status == 200, res.body);
  BOOST_TEST(res.json_body()["status"] == "received");
  auto stored = wait_events("channel.message_received", 1);
  BOOST_REQUIRE(stored.size() == 1u);
  BOOST_TEST(stored[0]["data"]["chatJid"] == "16505551234@s.whatsapp.net");
  BOOST_TEST(stored[0]["data"]["senderName"] == "Sheena");
  BOOST_TEST(stored[0]["data"]["content"] == "Is it red?");
  auto queued = wait_events("message.queued", 1);
  BOOST_REQUIRE(queued.size() == 1u);
  BOOST_TEST(queued[0]["stream"] == "group/support");
  // A retried delivery of the same message id is ignored.
  auto again = deliver_whatsapp(emu::whatsapp_emulator::text_delivery(
                                       wa_phone, "16505551234", "Sheena", "wamid.1", "Is it red?"));
  BOOST_TEST(again.status == 200);
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(events_of("channel.message_received").size() == 1u);
  auto chats = get_ok(channels + "/chats?channel=whatsapp");
  BOOST_REQUIRE(chats.size() == 1u);
  BOOST_TEST(chats[0]["namespace"] == "support");
  auto page = get_ok(channels + "/chats/wa%3A16505551234/messages");
  BOOST_TEST(page["items"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_webhook_body_that_is_not_json_is_refused_after_the_signature_check) {
  connect_whatsapp();
  std::string body = "not json";
  check_error(deliver(*this, body, emu::whatsapp_emulator::signature(wa_secret, body)), 400,
              "invalid_json");
}

BOOST_AUTO_TEST_CASE(outbound_messages_respect_the_4096_character_rule) {
  connect_whatsapp();
  std::string text(5000, 'x');
  text[4000] = ' ';
  auto res = client->post(channels + "/messages", json{{"chatJid", "wa:16505551234"}, {"text", text}});
  BOOST_TEST_REQUIRE(res.status == 202, res.body);
  BOOST_TEST(res.json_body()["chatJid"] == "16505551234@s.whatsapp.net");
  BOOST_TEST(res.json_body()["parts"] == 2);
  BOOST_TEST_REQUIRE(whatsapp.wait_sent(2, 10s));
  auto sent = whatsapp.sent();
  BOOST_TEST(sent[0].to == "16505551234");
  BOOST_TEST(sent[0].text == text.substr(0, 4000));
  BOOST_TEST(sent[1].text == text.substr(4001));
  BOOST_TEST(sent[0].phone_number_id == wa_phone);
}

BOOST_AUTO_TEST_CASE(secrets_never_appear_in_events_the_audit_log_or_answers) {
  auto view = connect_whatsapp();
  auto text = get_ok(api + "/events?limit=1000").dump() + audit_items().dump() + view.dump()
              + get_ok(channels).dump() + server->output();
  for (std::string secret : {wa_token, wa_verify, wa_secret})
    BOOST_TEST(text.find(secret) == std::string::npos, secret);
  auto off = client->post(channels + "/whatsapp/disconnect", json::object());
  BOOST_TEST_REQUIRE(off.status == 200, off.body);
  // Disconnected: the webhook no longer accepts deliveries.
  auto body = emu::whatsapp_emulator::text_delivery(wa_phone, "16505551234", "S", "wamid.2", "x").dump();
  check_error(deliver(*this, body, emu::whatsapp_emulator::signature(wa_secret, body)), 404,
              "not_found");
}

BOOST_AUTO_TEST_SUITE_END()
