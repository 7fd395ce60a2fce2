#include <boost/test/unit_test.hpp>

#include "actors/channel_rules.hpp"

using namespace pincer;

namespace {

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

json namespaces() {
  return json::array(
    {json{{"name", "team"}, {"chatJids", {"tg:-100"}}, {"trigger", "@Andy"},
          {"requiresTrigger", true}, {"isMain", false}},
     json{{"name", "main"}, {"chatJids", {"tg:7", "15550001111@s.whatsapp.net"}},
          {"trigger", "@Andy"}, {"requiresTrigger", false}, {"isMain", true}}});
}

inbound_message msg(const std::string& jid, const std::string& sender, const std::string& text) {
  inbound_message m;
  m.channel = "telegram";
  m.id = "1";
  m.chat_jid = jid;
  m.sender = sender;
  m.sender_name = "Ann";
  m.text = text;
  return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(actors_channel_rules)

BOOST_AUTO_TEST_CASE(chat_jids_route_to_their_channel_and_provider_chat_id) {
  auto tg = route_jid("tg:-1001234");
  BOOST_REQUIRE(tg);
  BOOST_TEST(tg->channel == "telegram");
  BOOST_TEST(tg->chat_id == "-1001234");
  auto wa = route_jid("wa:15551234567");
  BOOST_REQUIRE(wa);
  BOOST_TEST(wa->channel == "whatsapp");
  BOOST_TEST(wa->jid == "15551234567@s.whatsapp.net");
  BOOST_TEST(wa->chat_id == "15551234567");
  BOOST_TEST(route_jid("15551234567@s.whatsapp.net")->channel == "whatsapp");
  BOOST_TEST(route_jid("120363-1234@g.us")->channel == "whatsapp");
  BOOST_TEST(route_jid("slack:C0123ABC")->channel == "slack");
  BOOST_TEST(route_jid("dc:123456789012")->channel == "discord");
}

BOOST_AUTO_TEST_CASE(malformed_chat_jids_are_refused) {
  for (auto bad : {"", "tg:", "tg:abc", "tg:1/2", "wa:12", "wa:+1555123456", "irc:#chan",
                   "slack:C-1", "dc:abc", "@s.whatsapp.net", "12ab@s.whatsapp.net", "tg:-"})
    BOOST_TEST(!route_jid(bad), bad);
}

BOOST_AUTO_TEST_CASE(each_channel_has_its_provider_text_limit) {
  BOOST_TEST(text_limit("telegram") == 4096u);
  BOOST_TEST(text_limit("whatsapp") == 4096u);
  BOOST_TEST(text_limit("slack") == 4000u);
  BOOST_TEST(text_limit("discord") == 2000u);
}

BOOST_AUTO_TEST_CASE(a_text_within_the_limit_is_one_part) {
  auto parts = split_text("hello world", 4096);
  BOOST_TEST(parts.size() == 1u);
  BOOST_TEST(parts[0] == "hello world");
  BOOST_TEST(split_text(repeat("a", 4096), 4096).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_long_text_is_cut_after_a_line_break_near_the_limit) {
  auto text = repeat("a", 95) + "\n" + repeat("b", 50);
  auto parts = split_text(text, 100);
  BOOST_REQUIRE(parts.size() == 2u);
  BOOST_TEST(parts[0] == repeat("a", 95));
  BOOST_TEST(parts[1] == repeat("b", 50));
}

BOOST_AUTO_TEST_CASE(a_long_text_is_cut_at_a_space_when_there_is_no_line_break) {
  auto text = repeat("a", 93) + " " + repeat("b", 20);
  auto parts = split_text(text, 100);
  BOOST_REQUIRE(parts.size() == 2u);
  BOOST_TEST(parts[0] == repeat("a", 93));
  BOOST_TEST(parts[1] == repeat("b", 20));
}

BOOST_AUTO_TEST_CASE(a_boundary_before_the_last_tenth_is_ignored_and_the_cut_is_hard) {
  auto text = repeat("a", 50) + " " + repeat("b", 100);
  auto parts = split_text(text, 100);
  BOOST_REQUIRE(parts.size() == 2u);
  BOOST_TEST(parts[0].size() == 100u);
  BOOST_TEST(parts[0] + parts[1] == text);
}

BOOST_AUTO_TEST_CASE(splitting_counts_characters_not_bytes) {
  auto text = repeat("\xC3\xA9", 150); // é, two bytes each
  auto parts = split_text(text, 100);
  BOOST_REQUIRE(parts.size() == 2u);
  BOOST_TEST(code_points(parts[0]) == 100u);
  BOOST_TEST(code_points(parts[1]) == 50u);
  BOOST_TEST(parts[0] + parts[1] == text);
}

BOOST_AUTO_TEST_CASE(a_very_long_text_splits_into_parts_that_each_fit) {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "word" + std::to_string(i) + (i % 17 == 0 ? "\n" : " ");
  auto parts = split_text(text, 4096);
  BOOST_TEST(parts.size() > 1u);
  for (auto& p : parts)
    BOOST_TEST(code_points(p) <= 4096u);
}

BOOST_AUTO_TEST_CASE(the_default_allowlist_lets_everyone_trigger) {
  auto list = validate_sender_allowlist(json::object());
  BOOST_REQUIRE(list);
  BOOST_TEST(list->fallback.everyone);
  BOOST_TEST(!list->fallback.drop);
  BOOST_TEST(to_json(*list) == json::parse(R"({"default":{"allow":"*","mode":"trigger"},
                                              "chats":{},"logDenied":true})"));
}

BOOST_AUTO_TEST_CASE(a_chat_entry_replaces_the_default) {
  auto list = validate_sender_allowlist(json::parse(R"({
    "default": {"allow": "*", "mode": "trigger"},
    "chats": {"wa:15550001111": {"allow": ["42"], "mode": "drop"}},
    "logDenied": false})"));
  BOOST_REQUIRE(list);
  auto& e = list->entry_for("15550001111@s.whatsapp.net");
  BOOST_TEST(e.drop);
  BOOST_TEST(e.allows("42"));
  BOOST_TEST(!e.allows("43"));
  BOOST_TEST(list->entry_for("tg:1").allows("43"));
  BOOST_TEST(!list->log_denied);
}

BOOST_AUTO_TEST_CASE(an_invalid_allowlist_names_the_offending_field) {
  auto field = [](const char* body) {
    auto r = validate_sender_allowlist(json::parse(body));
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.err().code == ec::validation_failed));
    return r.err().field;
  };
  BOOST_TEST(field(R"({"default": {"allow": "everyone", "mode": "trigger"}})") == "default.allow");
  BOOST_TEST(field(R"({"default": {"allow": "*", "mode": "block"}})") == "default.mode");
  BOOST_TEST(field(R"({"default": {"allow": [1], "mode": "drop"}})") == "default.allow.0");
  BOOST_TEST(field(R"({"default": {"mode": "drop"}})") == "default.allow");
  BOOST_TEST(field(R"({"chats": []})") == "chats");
  BOOST_TEST(field(R"({"chats": {"irc:x": {"allow": "*", "mode": "drop"}}})") == "chats.irc:x");
  BOOST_TEST(field(R"({"chats": {"tg:1": {"allow": "*"}}})") == "chats.tg:1.mode");
  BOOST_TEST(field(R"({"logDenied": "yes"})") == "logDenied");
}

BOOST_AUTO_TEST_CASE(a_trigger_matches_at_the_start_ignoring_case_at_a_word_boundary) {
  BOOST_TEST(matches_trigger("@Andy echo: hi", "@Andy"));
  BOOST_TEST(matches_trigger("@andy hello", "@Andy"));
  BOOST_TEST(matches_trigger("  @ANDY", "@Andy"));
  BOOST_TEST(matches_trigger("@Andy, please", "@Andy"));
  BOOST_TEST(!matches_trigger("@Andyman hello", "@Andy"));
  BOOST_TEST(!matches_trigger("hello @Andy", "@Andy"));
  BOOST_TEST(!matches_trigger("@And", "@Andy"));
  BOOST_TEST(!matches_trigger("anything", ""));
}

BOOST_AUTO_TEST_CASE(an_unmapped_chat_only_updates_the_chat_list) {
  auto r = route_inbound(msg("tg:999", "42", "@Andy hi"), sender_allowlist{}, namespaces());
  BOOST_TEST(!r.mapped);
  BOOST_TEST(!r.store);
  BOOST_TEST(r.group.empty());
}

BOOST_AUTO_TEST_CASE(a_group_that_needs_a_trigger_runs_only_for_triggering_messages) {
  auto list = sender_allowlist{};
  auto hit = route_inbound(msg("tg:-100", "42", "@Andy echo: hi"), list, namespaces());
  BOOST_TEST(hit.store);
  BOOST_TEST(hit.group == "team");
  auto miss = route_inbound(msg("tg:-100", "42", "just chatting"), list, namespaces());
  BOOST_TEST(miss.store);
  BOOST_TEST(miss.group.empty());
}

BOOST_AUTO_TEST_CASE(a_group_without_a_trigger_runs_for_every_message) {
  auto r = route_inbound(msg("tg:7", "42", "hello"), sender_allowlist{}, namespaces());
  BOOST_TEST(r.group == "main");
}

BOOST_AUTO_TEST_CASE(trigger_mode_stores_everything_but_only_allowed_senders_trigger) {
  auto list = validate_sender_allowlist(json::parse(
    R"({"default": {"allow": ["42"], "mode": "trigger"}})"));
  BOOST_REQUIRE(list);
  auto allowed = route_inbound(msg("tg:-100", "42", "@Andy go"), *list, namespaces());
  BOOST_TEST(allowed.group == "team");
  auto other = route_inbound(msg("tg:-100", "43", "@Andy go"), *list, namespaces());
  BOOST_TEST(other.store);
  BOOST_TEST(other.group.empty());
  // Groups that need no trigger are not filtered by trigger mode.
  auto main = route_inbound(msg("tg:7", "43", "hello"), *list, namespaces());
  BOOST_TEST(main.group == "main");
}

BOOST_AUTO_TEST_CASE(drop_mode_discards_messages_of_other_senders_at_ingest) {
  auto list = validate_sender_allowlist(json::parse(
    R"({"chats": {"tg:-100": {"allow": ["42"], "mode": "drop"}}})"));
  BOOST_REQUIRE(list);
  auto other = route_inbound(msg("tg:-100", "43", "@Andy go"), *list, namespaces());
  BOOST_TEST(other.mapped);
  BOOST_TEST(!other.store);
  BOOST_TEST(other.group.empty());
  auto allowed = route_inbound(msg("tg:-100", "42", "@Andy go"), *list, namespaces());
  BOOST_TEST(allowed.store);
  BOOST_TEST(allowed.group == "team");
}

BOOST_AUTO_TEST_CASE(bot_messages_are_stored_but_never_trigger) {
  auto m = msg("tg:7", "99", "@Andy hi");
  m.is_bot = true;
  auto r = route_inbound(m, sender_allowlist{}, namespaces());
  BOOST_TEST(r.store);
  BOOST_TEST(r.group.empty());
}

BOOST_AUTO_TEST_CASE(the_hub_signature_is_an_hmac_of_the_raw_body) {
  // RFC 4231 test case 2.
  BOOST_TEST(hmac_sha256_hex("Jefe", "what do ya want for nothing?")
             == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string body = R"({"object":"whatsapp_business_account"})";
  auto sig = "sha256=" + hmac_sha256_hex("s3cret", body);
  BOOST_TEST(valid_hub_signature(sig, body, "s3cret"));
  BOOST_TEST(!valid_hub_signature(sig, body + " ", "s3cret"));
  BOOST_TEST(!valid_hub_signature(sig, body, "other"));
  BOOST_TEST(!valid_hub_signature(sig.substr(7), body, "s3cret"));
  BOOST_TEST(!valid_hub_signature("", body, "s3cret"));
  BOOST_TEST(!valid_hub_signature(sig, body, ""));
}

BOOST_AUTO_TEST_CASE(constant_time_comparison_needs_equal_length_and_bytes) {
  BOOST_TEST(constant_time_equal("abc", "abc"));
  BOOST_TEST(!constant_time_equal("abc", "abd"));
  BOOST_TEST(!constant_time_equal("abc", "abcd"));
  BOOST_TEST(constant_time_equal("", ""));
}

BOOST_AUTO_TEST_SUITE_END()
