#include <boost/test/unit_test.hpp>

#include "actors/channel_actor.hpp"
#include "actors/channel_hub.hpp"
#include "actors/channel_provider.hpp"
#include "actors/secrets.hpp"
#include "events/catalog.hpp"
#include "events/channel_events.hpp"

using namespace pincer;

namespace {

http_result answer(long status, const std::string& body,
                   std::map<std::string, std::string> headers = {}) {
  return http_result{status, std::move(headers), body, {}};
}

channel_settings telegram_settings() {
  auto p = make_channel_provider("telegram");
  auto s = p->parse_settings(json{{"botToken", "123:ABC"}, {"baseUrl", "http://127.0.0.1:9/"}},
                             true, "https://api.telegram.org");
  BOOST_REQUIRE(s);
  return *s;
}

envelope event(const std::string& type, json data, int64_t at = 1000) {
  envelope e;
  e.type = type;
  e.at = at;
  e.data = std::move(data);
  return e;
}

} // namespace

BOOST_AUTO_TEST_SUITE(actors_channel_providers)

BOOST_AUTO_TEST_CASE(telegram_settings_need_a_well_formed_token_and_url) {
  auto p = make_channel_provider("telegram");
  auto field = [&](json body) {
    auto r = p->parse_settings(body, true, "https://api.telegram.org");
    BOOST_REQUIRE(!r);
    return r.err().field;
  };
  BOOST_TEST(field(json::object()) == "botToken");
  BOOST_TEST(field(json{{"botToken", 5}}) == "botToken");
  BOOST_TEST(field(json{{"botToken", "nocolon"}}) == "botToken");
  BOOST_TEST(field(json{{"botToken", "1:a/b"}}) == "botToken");
  BOOST_TEST(field(json{{"botToken", "1:ab"}, {"baseUrl", "ftp://x"}}) == "baseUrl");
  BOOST_TEST(field(json{{"botToken", "1:ab"}, {"baseUrl", "http://a b"}}) == "baseUrl");
  auto s = telegram_settings();
  BOOST_TEST(s.config["baseUrl"] == "http://127.0.0.1:9");
  BOOST_TEST(s.secrets["botToken"] == "123:ABC");
}

BOOST_AUTO_TEST_CASE(telegram_calls_use_the_bot_api_paths) {
  auto p = make_channel_provider("telegram");
  auto s = telegram_settings();
  BOOST_TEST(p->validate_call(s).url == "http://127.0.0.1:9/bot123:ABC/getMe");
  auto send = p->send_call(s, *route_jid("tg:-100123"), "hi");
  BOOST_TEST(send.method == "POST");
  BOOST_TEST(send.url == "http://127.0.0.1:9/bot123:ABC/sendMessage");
  BOOST_TEST(json::parse(send.body) == json::parse(R"({"chat_id": -100123, "text": "hi"})"));
  auto poll = p->poll_call(s, 5001);
  BOOST_TEST(poll.url.find("http://127.0.0.1:9/bot123:ABC/getUpdates?timeout=25") == 0u);
  BOOST_TEST(poll.url.find("&offset=5001") != std::string::npos);
  BOOST_TEST(poll.timeout_ms > 25000);
}

BOOST_AUTO_TEST_CASE(telegram_get_me_gives_the_account_and_401_means_a_bad_token) {
  auto p = make_channel_provider("telegram");
  auto ok = p->parse_validate(answer(200, R"({"ok":true,"result":{"id":77,"is_bot":true,
                                              "first_name":"Andy","username":"andy_bot"}})"));
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok->id == "77");
  BOOST_TEST(ok->name == "andy_bot");
  auto bad = p->parse_validate(answer(401, R"({"ok":false,"error_code":401,
                                                "description":"Unauthorized"})"));
  BOOST_REQUIRE(!bad);
  BOOST_TEST((bad.err().code == ec::validation_failed));
  BOOST_TEST(bad.err().field == "botToken");
  BOOST_TEST(bad.err().message.find("Unauthorized") != std::string::npos);
  auto down = p->parse_validate(http_result{0, {}, {}, "Connection refused"});
  BOOST_REQUIRE(!down);
  BOOST_TEST((down.err().code == ec::upstream_error));
}

BOOST_AUTO_TEST_CASE(telegram_send_outcomes_follow_the_error_codes) {
  auto p = make_channel_provider("telegram");
  auto sent = p->parse_send(answer(200, R"({"ok":true,"result":{"message_id":9}})"));
  BOOST_TEST((sent.kind == send_outcome::sent));
  BOOST_TEST(sent.provider_id == "9");
  auto limited = p->parse_send(answer(429, R"({"ok":false,"error_code":429,
    "description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}})"));
  BOOST_TEST((limited.kind == send_outcome::retry_after));
  BOOST_TEST(limited.retry_after_ms == 3000);
  auto header = p->parse_send(answer(429, R"({"ok":false})", {{"retry-after", "2"}}));
  BOOST_TEST((header.kind == send_outcome::retry_after));
  BOOST_TEST(header.retry_after_ms == 2000);
  BOOST_TEST((p->parse_send(answer(502, "bad gateway")).kind == send_outcome::transient));
  BOOST_TEST((p->parse_send(http_result{0, {}, {}, "timeout"}).kind == send_outcome::transient));
  auto refused = p->parse_send(answer(400, R"({"ok":false,"error_code":400,
                                              "description":"Bad Request: chat not found"})"));
  BOOST_TEST((refused.kind == send_outcome::permanent));
  BOOST_TEST(refused.message.find("chat not found") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(telegram_updates_become_messages_and_the_next_offset) {
  auto p = make_channel_provider("telegram");
  auto batch = p->parse_poll(answer(200, R"({"ok":true,"result":[
    {"update_id":10,"message":{"message_id":1,"date":1700000000,
      "chat":{"id":-100,"type":"supergroup","title":"Team"},
      "from":{"id":42,"is_bot":false,"first_name":"Ann","last_name":"Lee"},"text":"@Andy hi"}},
    {"update_id":11,"edited_message":{"message_id":1}},
    {"update_id":12,"message":{"message_id":2,"date":1700000001,
      "chat":{"id":42,"type":"private","first_name":"Ann"},
      "from":{"id":42,"is_bot":false,"first_name":"Ann"},"sticker":{}}}]})"));
  BOOST_REQUIRE(batch);
  BOOST_TEST(batch->next_offset == 13);
  BOOST_REQUIRE(batch->messages.size() == 1u);
  auto& m = batch->messages[0];
  BOOST_TEST(m.chat_jid == "tg:-100");
  BOOST_TEST(m.id == "1");
  BOOST_TEST(m.is_group);
  BOOST_TEST(m.chat_name == "Team");
  BOOST_TEST(m.sender == "42");
  BOOST_TEST(m.sender_name == "Ann Lee");
  BOOST_TEST(m.text == "@Andy hi");
  BOOST_TEST(m.at == 1700000000000);
  auto revoked = p->parse_poll(answer(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})"));
  BOOST_REQUIRE(!revoked);
  BOOST_TEST((revoked.err().code == ec::validation_failed));
  auto conflict = p->parse_poll(answer(409, R"({"ok":false,"error_code":409,"description":"Conflict"})"));
  BOOST_REQUIRE(!conflict);
  BOOST_TEST((conflict.err().code == ec::upstream_error));
}

BOOST_AUTO_TEST_CASE(telegram_answers_chatid_and_ping_like_nanoclaw) {
  auto p = make_channel_provider("telegram");
  inbound_message m;
  m.chat_jid = "tg:-100";
  m.chat_name = "Team";
  m.text = "/chatid";
  auto id = p->command_reply(m, "supergroup", "Andy");
  BOOST_REQUIRE(id);
  BOOST_TEST(id->find("tg:-100") != std::string::npos);
  BOOST_TEST(id->find("supergroup") != std::string::npos);
  m.text = "/ping@andy_bot";
  BOOST_TEST(*p->command_reply(m, "private", "Andy") == "Andy is online.");
  m.text = "/help";
  BOOST_TEST(!p->command_reply(m, "private", "Andy"));
  m.text = "hello /ping";
  BOOST_TEST(!p->command_reply(m, "private", "Andy"));
}

BOOST_AUTO_TEST_CASE(whatsapp_settings_need_every_credential_to_connect) {
  auto p = make_channel_provider("whatsapp");
  json body{{"accessToken", "EAAB"}, {"phoneNumberId", "1065"}};
  BOOST_TEST(static_cast<bool>(p->parse_settings(body, false, "https://graph.facebook.com/v21.0")));
  auto missing = p->parse_settings(body, true, "x");
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.err().field == "verifyToken");
  body["verifyToken"] = "v";
  BOOST_TEST(p->parse_settings(body, true, "x").err().field == "appSecret");
  body["appSecret"] = "s";
  BOOST_TEST(static_cast<bool>(p->parse_settings(body, true, "x")));
  body["phoneNumberId"] = "12ab";
  BOOST_TEST(p->parse_settings(body, true, "x").err().field == "phoneNumberId");
}

BOOST_AUTO_TEST_CASE(whatsapp_graph_errors_map_to_credentials_limits_and_refusals) {
  auto p = make_channel_provider("whatsapp");
  auto bad = p->parse_validate(answer(401, R"({"error":{"message":"Invalid OAuth access token",
                                                "type":"OAuthException","code":190}})"));
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.err().field == "accessToken");
  auto unknown = p->parse_validate(answer(400, R"({"error":{"message":"Unsupported get request",
                                                    "type":"GraphMethodException","code":100}})"));
  BOOST_REQUIRE(!unknown);
  BOOST_TEST(unknown.err().field == "phoneNumberId");
  auto ok = p->parse_validate(answer(200, R"({"id":"1065","display_phone_number":"15550783881",
                                             "verified_name":"Acme"})"));
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok->name == "Acme");
  auto sent = p->parse_send(answer(200, R"({"messaging_product":"whatsapp",
                                           "messages":[{"id":"wamid.X"}]})"));
  BOOST_TEST((sent.kind == send_outcome::sent));
  BOOST_TEST(sent.provider_id == "wamid.X");
  auto limited = p->parse_send(answer(400, R"({"error":{"message":"Rate limit hit","code":130429}})",
                                      {{"retry-after", "4"}}));
  BOOST_TEST((limited.kind == send_outcome::retry_after));
  BOOST_TEST(limited.retry_after_ms == 4000);
  auto refused = p->parse_send(answer(400, R"({"error":{"message":"Param text['body'] must be at most 4096 characters long.","code":100}})"));
  BOOST_TEST((refused.kind == send_outcome::permanent));
}

BOOST_AUTO_TEST_CASE(whatsapp_webhook_deliveries_become_messages) {
  auto p = make_channel_provider("whatsapp");
  auto msgs = p->parse_webhook(json::parse(R"({"object":"whatsapp_business_account","entry":[
    {"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
      "metadata":{"phone_number_id":"1065"},
      "contacts":[{"profile":{"name":"Sheena"},"wa_id":"16505551234"}],
      "messages":[{"from":"16505551234","id":"wamid.A","timestamp":"1749416383","type":"text",
                   "text":{"body":"Does it come in red?"}},
                  {"from":"16505551234","id":"wamid.B","timestamp":"1749416384","type":"image",
                   "image":{}}]}},
      {"field":"messages","value":{"statuses":[{"id":"wamid.Z","status":"read"}]}}]}]})"));
  BOOST_REQUIRE(msgs.size() == 1u);
  BOOST_TEST(msgs[0].chat_jid == "16505551234@s.whatsapp.net");
  BOOST_TEST(msgs[0].sender == "16505551234");
  BOOST_TEST(msgs[0].sender_name == "Sheena");
  BOOST_TEST(msgs[0].id == "wamid.A");
  BOOST_TEST(msgs[0].text == "Does it come in red?");
  BOOST_TEST(msgs[0].at == 1749416383000);
  BOOST_TEST(p->parse_webhook(json::parse(R"({"entry":"x"})")).empty());
}

BOOST_AUTO_TEST_CASE(whatsapp_sends_text_messages_to_the_phone_number) {
  auto p = make_channel_provider("whatsapp");
  auto s = p->parse_settings(json{{"accessToken", "EAAB"}, {"phoneNumberId", "1065"}}, false,
                             "http://h/v21.0");
  BOOST_REQUIRE(s);
  auto c = p->send_call(*s, *route_jid("wa:16505551234"), "hello");
  BOOST_TEST(c.url == "http://h/v21.0/1065/messages");
  BOOST_TEST(c.headers.at(0) == "Authorization: Bearer EAAB");
  auto body = json::parse(c.body);
  BOOST_TEST(body["messaging_product"] == "whatsapp");
  BOOST_TEST(body["to"] == "16505551234");
  BOOST_TEST(body["text"]["body"] == "hello");
}

BOOST_AUTO_TEST_CASE(answers_with_fields_of_unexpected_types_are_errors_not_throws) {
  auto tg = make_channel_provider("telegram");
  auto wa = make_channel_provider("whatsapp");
  auto sl = make_channel_provider("slack");
  auto dc = make_channel_provider("discord");
  for (auto& p : {tg, sl}) {
    auto v = p->parse_validate(answer(200, R"({"ok":"true","result":{"id":1}})"));
    BOOST_REQUIRE(!v);
    BOOST_TEST((v.err().code == ec::upstream_error));
  }
  auto sent = sl->parse_send(answer(200, R"({"ok":true,"ts":5})"));
  BOOST_TEST((sent.kind == send_outcome::permanent));
  BOOST_TEST(sent.message.find("slack sent a malformed answer") != std::string::npos, sent.message);
  auto dv = dc->parse_validate(answer(200, R"({"id":"1","username":7})"));
  BOOST_REQUIRE(!dv);
  BOOST_TEST((dv.err().code == ec::upstream_error));
  auto wv = wa->parse_validate(answer(200, R"({"id":"1","verified_name":7})"));
  BOOST_TEST(!wv);
  // One malformed update is skipped; the good one arrives and the offset
  // moves past both.
  auto batch = tg->parse_poll(answer(200, R"({"ok":true,"result":[
    {"update_id":10,"message":{"message_id":1,"date":"soon","text":"bad",
     "chat":{"id":5,"type":"private","first_name":"Bob"}}},
    {"update_id":11,"message":{"message_id":2,"date":1700000000,"text":"good",
     "chat":{"id":5,"type":"private","first_name":"Bob"}}}]})"));
  BOOST_REQUIRE(batch);
  BOOST_TEST(batch->next_offset == 12);
  BOOST_REQUIRE(batch->messages.size() == 1u);
  BOOST_TEST(batch->messages[0].text == "good");
  // WhatsApp: a message with a numeric id is skipped, its neighbour kept.
  auto msgs = wa->parse_webhook(json::parse(R"({"entry":[{"changes":[{"value":{
    "contacts":[{"wa_id":"15550001","profile":{"name":42}}],
    "messages":[{"id":5,"from":"15550001","type":"text","text":{"body":"bad"},"timestamp":"1"},
                {"id":"w2","from":"15550001","type":"text","text":{"body":"good"},
                 "timestamp":"1700000000"}]}}]}]})"));
  BOOST_REQUIRE(msgs.size() == 1u);
  BOOST_TEST(msgs[0].id == "w2");
  BOOST_TEST(msgs[0].sender_name == "15550001");
}

BOOST_AUTO_TEST_CASE(sealed_secrets_open_until_the_owner_is_forgotten) {
  std::shared_ptr<event_store> store = make_memory_store();
  secret_box vault{store, std::string(secret_key_size, 'k')};
  auto sealed = vault.seal("channel/telegram", "123:SECRET");
  BOOST_REQUIRE(sealed);
  BOOST_TEST(sealed->dump().find("SECRET") == std::string::npos);
  auto plain = vault.open("channel/telegram", *sealed);
  BOOST_REQUIRE(plain);
  BOOST_TEST(*plain == "123:SECRET");
  BOOST_TEST(!vault.open("channel/whatsapp", *sealed));
  auto tampered = *sealed;
  tampered["data"] = "AAAAAAAAAAAAAAA=";
  BOOST_TEST(!vault.open("channel/telegram", tampered));
  BOOST_REQUIRE(vault.forget("channel/telegram"));
  auto gone = vault.open("channel/telegram", *sealed);
  BOOST_REQUIRE(!gone);
  BOOST_TEST((gone.err().code == ec::not_found));
}

BOOST_AUTO_TEST_CASE(channel_state_follows_connection_and_outbox_events) {
  using namespace event_types;
  channel_state st;
  st.name = "telegram";
  st.apply(event(channel_connected, json{{"account", {{"id", "77"}, {"name", "andy_bot"}}},
                                         {"config", {{"baseUrl", "http://x"}}},
                                         {"secrets", json::object()}}));
  BOOST_TEST(st.status == "connected");
  BOOST_TEST(st.view()["account"]["name"] == "andy_bot");
  st.apply(event(channel_offset_advanced, json{{"offset", 5003}}));
  BOOST_TEST(st.offset == 5003);
  inbound_message m;
  m.chat_jid = "tg:1";
  m.id = "9";
  st.apply(event(channel_message_received, inbound_event_data(m)));
  BOOST_TEST(st.seen(m));
  BOOST_TEST(st.messages_in == 1u);
  st.apply(event(channel_message_queued, json{{"id", "a"}, {"chatJid", "tg:1"},
                                              {"text", std::string(5000, 'x')}, {"originSeq", 12}}));
  BOOST_REQUIRE(st.outbox.size() == 1u);
  BOOST_TEST(st.outbox[0].parts.size() == 2u);
  BOOST_TEST(st.max_origin == 12u);
  st.apply(event(channel_message_part_sent, json{{"id", "a"}, {"part", 0}}));
  BOOST_TEST(st.outbox.size() == 1u);
  st.apply(event(channel_message_part_sent, json{{"id", "a"}, {"part", 1}}));
  BOOST_TEST(st.outbox.empty());
  BOOST_TEST(st.messages_out == 1u);
  st.apply(event(channel_disconnected, json::object()));
  BOOST_TEST(st.status == "disconnected");
  BOOST_TEST(st.view()["account"].is_null());
}

BOOST_AUTO_TEST_CASE(outbound_requests_come_from_the_api_run_outputs_and_ipc) {
  BOOST_TEST(parse_outbound(json{{"chatJid", "wa:15550001111"}, {"text", "hi"}})->chat_jid
             == "15550001111@s.whatsapp.net");
  BOOST_TEST(parse_outbound(json{{"text", "hi"}}).err().field == "chatJid");
  BOOST_TEST(parse_outbound(json{{"chatJid", "x:1"}, {"text", "hi"}}).err().field == "chatJid");
  BOOST_TEST(parse_outbound(json{{"chatJid", "tg:1"}, {"text", ""}}).err().field == "text");
  BOOST_TEST(parse_outbound(json{{"chatJid", "tg:1"}, {"text", 3}}).err().field == "text");
  record r;
  r.seq = 40;
  r.type = "run.output";
  r.data = R"({"chatJid":"tg:5","reply":"done","status":"success"})";
  auto out = outbound_of(r);
  BOOST_REQUIRE(out);
  BOOST_TEST(out->origin_seq == 40u);
  BOOST_TEST(out->text == "done");
  BOOST_TEST(out->source == "run");
  r.data = R"({"chatJid":"tg:5","reply":null})";
  BOOST_TEST(!outbound_of(r));
  r.type = "ipc.message_sent";
  r.data = R"({"group":"team","chatJid":"tg:5","text":"note"})";
  BOOST_TEST(outbound_of(r)->source == "ipc");
  r.type = "run.finished";
  BOOST_TEST(!outbound_of(r));
}

BOOST_AUTO_TEST_SUITE_END()
