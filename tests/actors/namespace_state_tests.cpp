#include "actors/namespace_state.hpp"

#include <boost/test/unit_test.hpp>

using namespace pincer;

namespace {

std::string failing_field(const json& body) {
  auto r = validate_new_namespace(body, "Andy");
  BOOST_REQUIRE(!r);
  BOOST_TEST((r.err().code == ec::validation_failed));
  return r.err().field;
}

} // namespace

BOOST_AUTO_TEST_SUITE(actors_namespace_state)

BOOST_AUTO_TEST_CASE(names_follow_the_folder_rules) {
  for (const std::string& good : std::vector<std::string>{"a", "A1", "telegram_dev-team", std::string(64, 'x')})
    BOOST_TEST(valid_namespace_name(good), good);
  for (const std::string& bad : std::vector<std::string>{"", "-x", "_x", "a/b", "../etc", "a b", "a;b", "$(id)", "`id`",
                          "a\nb", "caf\xc3\xa9", std::string(65, 'x')})
    BOOST_TEST(!valid_namespace_name(bad), bad);
}

BOOST_AUTO_TEST_CASE(reserved_names_are_refused_in_any_case) {
  BOOST_TEST(failing_field(json{{"name", "GLOBAL"}}) == "name");
  BOOST_TEST(failing_field(json{{"name", "Merge-Instructions"}}) == "name");
}

BOOST_AUTO_TEST_CASE(wrong_types_name_the_offending_field) {
  BOOST_TEST(failing_field(json::object()) == "name");
  BOOST_TEST(failing_field(json{{"name", 5}}) == "name");
  BOOST_TEST(failing_field(json{{"name", "a"}, {"isMain", "yes"}}) == "isMain");
  BOOST_TEST(failing_field(json{{"name", "a"}, {"description", 1}}) == "description");
  BOOST_TEST(failing_field(json{{"name", "a"}, {"trigger", ""}}) == "trigger");
  BOOST_TEST(failing_field(json{{"name", "a"}, {"chatJids", "tg:1"}}) == "chatJids");
  BOOST_TEST(failing_field(json{{"name", "a"}, {"chatJids", {"tg:1", "bogus"}}}) == "chatJids.1");
  BOOST_TEST(failing_field(json{{"name", "a"}, {"chatJids", {"tg:1", "tg:1"}}}) == "chatJids.1");
  BOOST_TEST(failing_field(json{{"name", "a"}, {"containerConfig", {{"timeoutSecs", -1}}}})
             == "containerConfig.timeoutSecs");
  BOOST_TEST(failing_field(json{{"name", "a"}, {"containerConfig", {{"image", "-x"}}}})
             == "containerConfig.image");
  BOOST_TEST(failing_field(json{{"name", "a"},
                                {"containerConfig",
                                 {{"additionalMounts", {{{"hostPath", "relative"}}}}}}})
             == "containerConfig.additionalMounts.0.hostPath");
}

BOOST_AUTO_TEST_CASE(defaults_follow_the_main_flag_and_the_assistant_name) {
  auto plain = validate_new_namespace(json{{"name", "a"}}, "Bob");
  BOOST_REQUIRE(plain);
  BOOST_TEST((*plain)["trigger"] == "@Bob");
  BOOST_TEST((*plain)["requiresTrigger"] == true);
  BOOST_TEST((*plain)["containerConfig"]["timeoutSecs"] == 1800);
  auto main = validate_new_namespace(json{{"name", "m"}, {"isMain", true}}, "Bob");
  BOOST_TEST((*main)["requiresTrigger"] == false);
}

BOOST_AUTO_TEST_CASE(whatsapp_short_jids_are_normalised) {
  auto r = validate_new_namespace(json{{"name", "a"}, {"chatJids", {"wa:4915112345"}}}, "Andy");
  BOOST_REQUIRE(r);
  BOOST_TEST((*r)["chatJids"][0] == "4915112345@s.whatsapp.net");
}

BOOST_AUTO_TEST_CASE(the_name_cannot_be_changed_by_an_update) {
  auto r = validate_namespace_changes(json{{"name", "other"}}, json{{"name", "a"}});
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.err().field == "name");
}

BOOST_AUTO_TEST_CASE(instructions_over_256_kib_are_refused) {
  BOOST_TEST(static_cast<bool>(validate_instructions(json{{"content", std::string(262144, 'x')}})));
  auto big = validate_instructions(json{{"content", std::string(262145, 'x')}});
  BOOST_REQUIRE(!big);
  BOOST_TEST(big.err().field == "content");
  BOOST_TEST(validate_instructions(json{{"content", 3}}).err().field == "content");
}

BOOST_AUTO_TEST_CASE(state_is_rebuilt_by_applying_events_in_order) {
  namespace_state st;
  auto created = st.decide_create(json{{"name", "a"}, {"description", "x"}}, std::nullopt);
  BOOST_REQUIRE(created);
  envelope e;
  e.stream_version = 1;
  e.type = (*created)[0].type;
  e.data = (*created)[0].data;
  e.at = 1000;
  st.apply(e);
  BOOST_TEST(st.exists);
  BOOST_TEST(st.view()["createdAt"] == "1970-01-01T00:00:01.000Z");
  BOOST_TEST(!st.decide_create(json{{"name", "a"}}, std::nullopt));
  auto deleted = st.decide_delete(false);
  BOOST_REQUIRE(deleted);
  e.stream_version = 2;
  e.type = (*deleted)[0].type;
  e.data = (*deleted)[0].data;
  st.apply(e);
  BOOST_TEST(!st.exists);
  BOOST_TEST((st.decide_update(json::object()).err().code == ec::not_found));
}

BOOST_AUTO_TEST_SUITE_END()
