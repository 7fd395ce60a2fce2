#include <boost/test/unit_test.hpp>

#include "actors/channel_rules.hpp"
#include "actors/discord_gateway.hpp"
#include "actors/rate_buckets.hpp"
#include "actors/slack_rules.hpp"
#include "actors/slack_socket.hpp"
#include "actors/ws_client.hpp"
#include "events/time.hpp"

using namespace pincer;

namespace {

json frame(const socket_step& s, size_t i = 0) {
  BOOST_REQUIRE(s.send.size() > i);
  return json::parse(s.send[i]);
}

discord_gateway gateway() {
  return discord_gateway{"http://dc", "tok", "900", "Andy", [] { return 0.5; }};
}

/// A gateway that went through HELLO and READY.
discord_gateway ready_gateway() {
  auto g = gateway();
  BOOST_REQUIRE(g.parse_discover(http_result{200, {}, R"({"url":"ws://gw"})", {}}));
  g.on_open(0);
  g.on_text(R"({"op":10,"d":{"heartbeat_interval":1000}})", 0);
  auto ready = g.on_text(R"({"op":0,"t":"READY","s":1,"d":{"session_id":"S1",
    "resume_gateway_url":"ws://resume","user":{"id":"900"}}})", 0);
  BOOST_REQUIRE(ready.ready);
  return g;
}

http_result headers(long status, std::map<std::string, std::string> h, std::string body = "{}") {
  return http_result{status, std::move(h), std::move(body), {}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(channel_socket_protocols)

BOOST_AUTO_TEST_CASE(websocket_urls_are_split_into_tls_host_port_and_target) {
  auto a = parse_ws_url("wss://gateway.discord.gg/?v=10&encoding=json");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->tls);
  BOOST_TEST(a->host == "gateway.discord.gg");
  BOOST_TEST(a->port == "443");
  BOOST_TEST(a->target == "/?v=10&encoding=json");
  auto b = parse_ws_url("ws://127.0.0.1:4100?x=1");
  BOOST_REQUIRE(b);
  BOOST_TEST(!b->tls);
  BOOST_TEST(b->port == "4100");
  BOOST_TEST(b->target == "/?x=1");
  BOOST_TEST(!parse_ws_url("http://example.com/"));
  BOOST_TEST(!parse_ws_url("ws://:80/"));
  BOOST_TEST(!parse_ws_url("ws://host:port/"));
}

BOOST_AUTO_TEST_CASE(discord_discovers_the_gateway_then_identifies_with_the_message_content_intent) {
  auto g = gateway();
  auto call = g.discover_call();
  BOOST_REQUIRE(call);
  BOOST_TEST(call->url == "http://dc/gateway/bot");
  BOOST_TEST(call->headers[0] == "Authorization: Bot tok");
  BOOST_TEST((g.parse_discover(http_result{401, {}, "{}", {}}).err().code == ec::validation_failed));
  BOOST_REQUIRE(g.parse_discover(http_result{200, {}, R"({"url":"wss://gw.example"})", {}}));
  BOOST_TEST(g.socket_url() == "wss://gw.example?v=10&encoding=json");
  g.on_open(0);
  auto hello = g.on_text(R"({"op":10,"d":{"heartbeat_interval":45000}})", 0);
  auto identify = frame(hello);
  BOOST_TEST(identify["op"] == 2);
  BOOST_TEST(identify["d"]["token"] == "tok");
  BOOST_TEST((identify["d"]["intents"].get<int>() & (1 << 15)) != 0);
  BOOST_REQUIRE(hello.timer_ms);
  BOOST_TEST(*hello.timer_ms == 22500); // interval x jitter
}

BOOST_AUTO_TEST_CASE(discord_heartbeats_carry_the_last_sequence_and_a_missing_ack_reconnects) {
  auto g = ready_gateway();
  auto beat = g.on_timer(0);
  BOOST_TEST(frame(beat)["op"] == 1);
  BOOST_TEST(frame(beat)["d"] == 1);
  BOOST_REQUIRE(beat.timer_ms);
  BOOST_TEST(*beat.timer_ms == 1000);
  g.on_text(R"({"op":11})", 0);
  BOOST_TEST(!g.on_timer(0).reconnect); // acked: beats again
  auto zombie = g.on_timer(0);          // not acked
  BOOST_TEST(zombie.reconnect);
  BOOST_TEST(zombie.close_code != 1000);
  BOOST_TEST(g.resuming());
}

BOOST_AUTO_TEST_CASE(discord_resumes_after_a_drop_and_identifies_after_an_unresumable_op_9) {
  auto g = ready_gateway();
  g.on_text(R"({"op":0,"t":"MESSAGE_CREATE","s":7,"d":{}})", 0);
  auto closed = g.on_close(1006, 0);
  BOOST_TEST(closed.reconnect);
  BOOST_TEST(!g.discover_call());
  BOOST_TEST(g.socket_url() == "ws://resume?v=10&encoding=json");
  g.on_open(0);
  auto resume = frame(g.on_text(R"({"op":10,"d":{"heartbeat_interval":1000}})", 0));
  BOOST_TEST(resume["op"] == 6);
  BOOST_TEST(resume["d"]["session_id"] == "S1");
  BOOST_TEST(resume["d"]["seq"] == 7);
  auto invalid = g.on_text(R"({"op":9,"d":false})", 0);
  BOOST_TEST(invalid.reconnect);
  BOOST_TEST(!g.resuming());
  BOOST_TEST(g.socket_url() == "ws://gw?v=10&encoding=json");
  g.on_open(0);
  BOOST_TEST(frame(g.on_text(R"({"op":10,"d":{"heartbeat_interval":1000}})", 0))["op"] == 2);
}

BOOST_AUTO_TEST_CASE(discord_op_7_reconnects_with_resume_and_fatal_close_codes_stop) {
  auto g = ready_gateway();
  auto seven = g.on_text(R"({"op":7,"d":null})", 0);
  BOOST_TEST(seven.reconnect);
  BOOST_TEST(g.resuming());
  for (int code : {4004, 4010, 4011, 4012, 4013, 4014}) {
    auto step = g.on_close(code, 0);
    BOOST_TEST(step.fatal.has_value(), code);
    BOOST_TEST(!step.reconnect);
  }
  BOOST_TEST(!g.on_close(4000, 0).fatal);
  BOOST_TEST(g.on_close(4009, 0).reconnect);
  BOOST_TEST(!g.resuming()); // 4009: session timed out
}

BOOST_AUTO_TEST_CASE(discord_messages_skip_bots_strip_mentions_and_note_attachments) {
  auto g = ready_gateway();
  auto step = g.on_text(R"({"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":"m1","channel_id":"c1",
    "guild_id":"g1","author":{"id":"42","username":"ann"},"content":"<@900> hello",
    "timestamp":"2026-01-02T03:04:05.000000+00:00",
    "attachments":[{"filename":"a.png","content_type":"image/png"}]}})", 0);
  BOOST_REQUIRE(step.messages.size() == 1u);
  auto& m = step.messages[0];
  BOOST_TEST(m.chat_jid == "dc:c1");
  BOOST_TEST(m.text == "@Andy hello [Image: a.png]");
  BOOST_TEST(m.is_group);
  BOOST_TEST(m.sender_name == "ann");
  BOOST_TEST(!g.to_message(json::parse(R"({"id":"m2","channel_id":"c1",
    "author":{"id":"900"},"content":"mine"})")));
  BOOST_TEST(!g.to_message(json::parse(R"({"id":"m3","channel_id":"c1",
    "author":{"id":"7","bot":true},"content":"other bot"})")));
  auto dm = g.to_message(json::parse(R"({"id":"m4","channel_id":"d1",
    "author":{"id":"42","username":"ann"},"content":"hi"})"));
  BOOST_REQUIRE(dm);
  BOOST_TEST(!dm->is_group);
}

BOOST_AUTO_TEST_CASE(discord_chats_are_named_after_their_guild_and_channel_once_known) {
  auto g = ready_gateway();
  auto message = [&](const char* channel, const char* guild) {
    auto d = json::parse(R"({"id":"m1","author":{"id":"42","username":"ann"},"content":"hi"})");
    d["channel_id"] = channel;
    if (guild != nullptr)
      d["guild_id"] = guild;
    auto m = g.to_message(d);
    BOOST_REQUIRE(m);
    return m->chat_name;
  };
  BOOST_TEST(message("c1", "g1") == "#c1");
  // Malformed guilds change nothing.
  g.on_text(R"({"op":0,"t":"GUILD_CREATE","s":2,"d":{"name":"No id","channels":[{"id":"c1","name":"x"}]}})", 0);
  g.on_text(R"({"op":0,"t":"GUILD_CREATE","s":3,"d":{"id":"g1","channels":"none"}})", 0);
  BOOST_TEST(message("c1", "g1") == "#c1");
  g.on_text(R"({"op":0,"t":"GUILD_CREATE","s":4,"d":{"id":"g1","name":"Acme",
    "channels":[{"id":"c1","name":"general","type":0},{"id":"c2","name":"random","type":0}],
    "threads":[{"id":"t1","name":"plans","parent_id":"c1"}]}})", 0);
  BOOST_TEST(message("c1", "g1") == "Acme #general");
  BOOST_TEST(message("t1", "g1") == "Acme #plans");
  BOOST_TEST(message("c9", "g1") == "Acme #c9");
  g.on_text(R"({"op":0,"t":"CHANNEL_UPDATE","s":5,"d":{"id":"c2","guild_id":"g1","name":"chat"}})", 0);
  BOOST_TEST(message("c2", "g1") == "Acme #chat");
  g.on_text(R"({"op":0,"t":"GUILD_UPDATE","s":6,"d":{"id":"g1","name":"Acme Inc"}})", 0);
  BOOST_TEST(message("c2", "g1") == "Acme Inc #chat");
  BOOST_TEST(message("d1", nullptr) == "ann"); // a DM is named after its sender
}

BOOST_AUTO_TEST_CASE(slack_socket_mode_acks_every_envelope_once_and_handles_disconnects) {
  slack_socket_config cfg;
  cfg.base_url = "http://sl";
  cfg.app_token = "xapp-1";
  cfg.bot_user = "UBOT";
  cfg.assistant_name = "Andy";
  slack_socket s{cfg};
  auto call = s.discover_call();
  BOOST_REQUIRE(call);
  BOOST_TEST(call->url == "http://sl/apps.connections.open");
  BOOST_TEST(call->headers[0] == "Authorization: Bearer xapp-1");
  BOOST_TEST((s.parse_discover(http_result{200, {}, R"({"ok":false,"error":"invalid_auth"})", {}})
                .err()
                .code
              == ec::validation_failed));
  BOOST_REQUIRE(s.parse_discover(http_result{200, {}, R"({"ok":true,"url":"ws://x/link"})", {}}));
  BOOST_TEST(s.socket_url() == "ws://x/link");
  BOOST_TEST(s.on_text(R"({"type":"hello"})", 0).ready);
  auto envelope = R"({"envelope_id":"e1","type":"events_api","payload":{"event_id":"Ev1",
    "type":"event_callback","event":{"type":"message","channel":"C1","user":"U1",
    "text":"hi <@UBOT>","ts":"1.5"}}})";
  auto step = s.on_text(envelope, 0);
  BOOST_TEST(frame(step) == json::parse(R"({"envelope_id":"e1"})"));
  BOOST_REQUIRE(step.messages.size() == 1u);
  BOOST_TEST(step.messages[0].text == "@Andy hi <@UBOT>");
  auto again = s.on_text(envelope, 0); // a redelivery: acked, not handled twice
  BOOST_TEST(again.send.size() == 1u);
  BOOST_TEST(again.messages.empty());
  BOOST_TEST(s.on_text(R"({"type":"disconnect","reason":"refresh_requested"})", 0).reconnect);
  BOOST_TEST(s.on_text(R"({"type":"disconnect","reason":"link_disabled"})", 0).fatal.has_value());
}

BOOST_AUTO_TEST_CASE(socket_frames_with_fields_of_unexpected_types_are_ignored) {
  slack_socket_config cfg;
  cfg.bot_user = "UBOT";
  slack_socket s{cfg};
  for (auto frame : {R"({"type":5})", R"({"type":"disconnect","reason":[1]})",
                     R"({"type":"events_api","envelope_id":7})",
                     R"({"type":"events_api","envelope_id":"e1","payload":{"event_id":3,
                        "event":{"type":"message","channel":"C1","user":9,"text":"x","ts":"1.5"}}})"}) {
    socket_step step;
    BOOST_CHECK_NO_THROW(step = s.on_text(frame, 0));
    BOOST_TEST(step.messages.empty(), frame);
    BOOST_TEST(!step.fatal.has_value());
  }
  BOOST_TEST(!s.parse_discover(http_result{200, {}, R"({"ok":true,"url":5})", {}}));
  BOOST_TEST(!s.parse_discover(http_result{200, {}, R"({"ok":1,"error":["x"]})", {}}));
  auto g = ready_gateway();
  for (auto frame : {R"({"op":0,"t":"MESSAGE_CREATE","s":"2","d":{"id":1,"channel_id":"c1",
                        "author":{"id":"42","bot":"no"},"content":"hi"}})",
                     R"({"op":0,"t":"GUILD_CREATE","d":{"id":"g1","name":5,"channels":[5,{"id":2}]}})",
                     R"({"op":10,"d":{"heartbeat_interval":"fast"}})"}) {
    socket_step step;
    BOOST_CHECK_NO_THROW(step = g.on_text(frame, 0));
    BOOST_TEST(step.messages.empty(), frame);
  }
}

BOOST_AUTO_TEST_CASE(slack_user_names_are_resolved_once_and_cached) {
  slack_socket_config cfg;
  cfg.base_url = "http://sl";
  cfg.bot_token = "xoxb-1";
  slack_socket s{cfg};
  int calls = 0;
  auto fetch = [&](const http_call& c) {
    ++calls;
    BOOST_TEST(c.url == "http://sl/users.info?user=U1");
    return http_result{200, {}, R"({"ok":true,"user":{"name":"ann","profile":{"display_name":"Ann"}}})", {}};
  };
  std::vector<inbound_message> msgs(2);
  msgs[0].sender = msgs[1].sender = "U1";
  s.complete(msgs, fetch);
  s.complete(msgs, fetch);
  BOOST_TEST(calls == 1);
  BOOST_TEST(msgs[1].sender_name == "Ann");
}

BOOST_AUTO_TEST_CASE(slack_channel_names_are_listed_page_by_page_for_member_channels_only) {
  auto first = slack_channels_call("http://sl", "xoxb-1", "");
  BOOST_TEST(first.url == "http://sl/conversations.list?types=public_channel,private_channel,mpim"
                          "&exclude_archived=true&limit=200");
  BOOST_TEST(first.headers[0] == "Authorization: Bearer xoxb-1");
  BOOST_TEST(slack_channels_call("http://sl", "x", "dXNlcjpV=").url.find("&cursor=dXNlcjpV%3D")
             != std::string::npos);
  auto page = slack_channel_names(http_result{200, {}, R"({"ok":true,"channels":[
    {"id":"C1","name":"general","is_member":true},{"id":"C9","name":"other","is_member":false},
    {"id":"C3","is_member":true},{"id":"C4","name":"odd","is_member":"yes"},"junk"],
    "response_metadata":{"next_cursor":"p2"}})", {}});
  BOOST_TEST(page.ok);
  BOOST_TEST(page.names.size() == 1u);
  BOOST_TEST(page.names["C1"] == "general");
  BOOST_TEST(page.next_cursor == "p2");
  BOOST_TEST(!slack_channel_names(http_result{200, {}, R"({"ok":false,"error":"missing_scope"})", {}}).ok);
  BOOST_TEST(!slack_channel_names(http_result{500, {}, "{}", {}}).ok);
  BOOST_TEST(!slack_channel_names(http_result{200, {}, R"({"ok":"true","channels":[]})", {}}).ok);
  BOOST_TEST(!slack_channel_names(http_result{200, {}, R"({"ok":true,"channels":{}})", {}}).ok);
  BOOST_TEST(!slack_channel_names(http_result{200, {}, "not json", {}}).ok);
}

BOOST_AUTO_TEST_CASE(slack_chats_are_named_after_their_channel_or_the_dm_sender) {
  slack_socket_config cfg;
  cfg.base_url = "http://sl";
  cfg.bot_token = "xoxb-1";
  auto names = cfg.names;
  slack_socket s{cfg};
  int lists = 0;
  auto fetch = [&](const http_call& c) {
    if (c.url.find("/users.info") != std::string::npos)
      return http_result{200, {}, R"({"ok":true,"user":{"name":"ann"}})", {}};
    ++lists;
    if (c.url.find("cursor=p2") == std::string::npos)
      return http_result{200, {}, R"({"ok":true,"channels":[{"id":"C1","name":"general",
        "is_member":true}],"response_metadata":{"next_cursor":"p2"}})", {}};
    return http_result{200, {}, R"({"ok":true,"channels":[{"id":"C2","name":"random",
      "is_member":true}],"response_metadata":{"next_cursor":""}})", {}};
  };
  std::vector<inbound_message> msgs(3);
  for (auto& m : msgs)
    m.sender = "U1";
  msgs[0].chat_jid = "slack:C2";
  msgs[0].is_group = true;
  msgs[1].chat_jid = "slack:D5";
  msgs[1].is_group = false;
  msgs[2].chat_jid = "slack:C7";
  msgs[2].is_group = true;
  msgs[2].chat_name = "C7";
  s.complete(msgs, fetch);
  BOOST_TEST(lists == 2); // both pages
  BOOST_TEST(msgs[0].chat_name == "random");
  BOOST_TEST(msgs[1].chat_name == "ann");
  BOOST_TEST(msgs[2].chat_name == "C7"); // not a member: the id stays
  // An unknown channel lists again only once a minute has passed.
  s.complete(msgs, fetch);
  BOOST_TEST(lists == 2);
  auto now = now_ms();
  BOOST_TEST(!names->wants_channels(msgs, now + slack_channel_sync_ms - 1000));
  BOOST_TEST(names->wants_channels(msgs, now + slack_channel_sync_ms + 1000));
  std::vector<inbound_message> known(1);
  known[0].chat_jid = "slack:C1";
  known[0].is_group = true;
  BOOST_TEST(!names->wants_channels(known, now + 10 * slack_channel_sync_ms));
}

BOOST_AUTO_TEST_CASE(slack_signatures_need_the_secret_and_a_timestamp_within_five_minutes) {
  std::string body = R"({"type":"event_callback"})";
  auto sig = "v0=" + hmac_sha256_hex("secret", "v0:1000:" + body);
  BOOST_TEST(bool(check_slack_signature("1000", sig, body, "secret", 1000)));
  BOOST_TEST(bool(check_slack_signature("1000", sig, body, "secret", 1300)));
  BOOST_TEST(!check_slack_signature("1000", sig, body, "secret", 1301));
  BOOST_TEST(!check_slack_signature("1000", sig, body, "secret", 699));
  BOOST_TEST(!check_slack_signature("1000", sig, body, "other", 1000));
  BOOST_TEST(!check_slack_signature("1000", sig, body + " ", "secret", 1000));
  BOOST_TEST(!check_slack_signature("", sig, body, "secret", 1000));
  BOOST_TEST((check_slack_signature("1000", "v0=00", body, "secret", 1000).err().code
              == ec::unauthorized));
}

BOOST_AUTO_TEST_CASE(slack_message_events_skip_subtypes_and_recognise_the_bot) {
  auto event = [](std::string extra) {
    return json::parse(R"({"type":"message","channel":"C1","ts":"1700000000.5","text":"hi")"
                       + extra + "}");
  };
  auto m = slack_message_of(event(R"(,"user":"U1","thread_ts":"1.1")"), "UBOT", "Andy");
  BOOST_REQUIRE(m);
  BOOST_TEST(m->message.chat_jid == "slack:C1");
  BOOST_TEST(m->message.at == 1700000000500);
  BOOST_TEST(m->thread_ts == "1.1");
  BOOST_TEST(!slack_message_of(event(R"(,"user":"U1","subtype":"channel_join")"), "UBOT", "Andy"));
  auto own = slack_message_of(event(R"(,"user":"UBOT")"), "UBOT", "Andy");
  BOOST_REQUIRE(own);
  BOOST_TEST(own->message.from_me);
  BOOST_TEST(own->message.is_bot);
  BOOST_TEST(own->message.sender_name == "Andy");
  auto bot = slack_message_of(event(R"(,"subtype":"bot_message","bot_id":"B9")"), "UBOT", "Andy");
  BOOST_REQUIRE(bot);
  BOOST_TEST(bot->message.is_bot);
  BOOST_TEST(!bot->message.from_me);
}

BOOST_AUTO_TEST_CASE(rate_buckets_hold_a_route_until_its_reset_and_everything_on_a_global_429) {
  rate_buckets b;
  BOOST_TEST(b.wait_ms("c1", 0) == 0);
  b.update("c1", headers(200, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset-after", "1.5"},
                               {"x-ratelimit-bucket", "abc"}}),
           1000);
  BOOST_TEST(b.wait_ms("c1", 1000) == 1500);
  BOOST_TEST(b.wait_ms("c1", 2500) == 0);
  BOOST_TEST(b.wait_ms("c2", 1000) == 0);
  b.update("c1", headers(200, {{"x-ratelimit-remaining", "4"}, {"x-ratelimit-bucket", "abc"}}),
           1100);
  BOOST_TEST(b.wait_ms("c1", 1100) == 0);
  b.update("c2", headers(429, {{"x-ratelimit-global", "true"}},
                         R"({"message":"You are being rate limited.","retry_after":0.25,"global":true})"),
           2000);
  BOOST_TEST(b.wait_ms("c1", 2000) == 250);
  BOOST_TEST(b.wait_ms("c3", 2100) == 150);
  b.update("c4", headers(429, {}, R"({"retry_after":2,"global":false})"), 3000);
  BOOST_TEST(b.wait_ms("c4", 3000) == 2000);
  BOOST_TEST(b.wait_ms("c5", 3000) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
