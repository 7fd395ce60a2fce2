#include <regex>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;

namespace {

bool is_uuid_v4(const std::string& s) {
  static const std::regex pattern{
    "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
  return std::regex_match(s, pattern);
}

bool is_rfc3339_ms(const std::string& s) {
  static const std::regex pattern{
    R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)"};
  return std::regex_match(s, pattern);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_namespaces, server_fixture)

BOOST_AUTO_TEST_CASE(creating_a_namespace_answers_201_with_the_published_shape) {
  auto res = client->post(namespaces, json{{"name", "telegram-support"},
                                           {"description", "Customer support via Telegram"}});
  BOOST_TEST_REQUIRE(res.status == 201);
  BOOST_TEST(res.header("Content-Type").find("application/json") == 0u);
  BOOST_TEST(!res.header("X-Request-Id").empty());
  auto ns = res.json_body();
  std::vector<std::string> keys;
  for (auto& [key, value] : ns.items())
    keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> expected{"chatJids", "containerConfig", "createdAt", "description",
                                    "id", "isMain", "name", "requiresTrigger", "trigger",
                                    "updatedAt"};
  BOOST_TEST(keys == expected, boost::test_tools::per_element());
  BOOST_TEST(is_uuid_v4(ns["id"].get<std::string>()));
  BOOST_TEST(ns["name"] == "telegram-support");
  BOOST_TEST(ns["description"] == "Customer support via Telegram");
  BOOST_TEST(ns["isMain"] == false);
  BOOST_TEST(ns["trigger"] == "@Andy");
  BOOST_TEST(ns["requiresTrigger"] == true);
  BOOST_TEST(ns["chatJids"] == json::array());
  BOOST_TEST(ns["containerConfig"].is_object());
  BOOST_TEST(ns["containerConfig"].contains("timeoutSecs"));
  BOOST_TEST(ns["containerConfig"]["additionalMounts"] == json::array());
  BOOST_TEST(is_rfc3339_ms(ns["createdAt"].get<std::string>()));
  BOOST_TEST(ns["createdAt"] == ns["updatedAt"]);
  BOOST_TEST(
    eventual_file_text(std::filesystem::path{data} / "groups" / "telegram-support" / "CLAUDE.md")
    == "");
}

BOOST_AUTO_TEST_CASE(a_main_namespace_does_not_require_a_trigger_by_default) {
  auto ns = create("main", json{{"isMain", true}});
  BOOST_TEST(ns["isMain"] == true);
  BOOST_TEST(ns["requiresTrigger"] == false);
}

BOOST_AUTO_TEST_CASE(the_assistant_name_option_changes_the_default_trigger) {
  stop();
  start({"--assistant-name", "Bob"});
  auto ns = create("team");
  BOOST_TEST(ns["trigger"] == "@Bob");
  auto explicit_trigger = create("other", json{{"trigger", "!go"}});
  BOOST_TEST(explicit_trigger["trigger"] == "!go");
}

BOOST_AUTO_TEST_CASE(list_and_get_answer_what_was_created) {
  auto a = create("alpha", json{{"chatJids", {"tg:-100123"}}});
  auto b = create("beta", json{{"containerConfig", {{"timeoutSecs", 60}}}});
  auto list = get_ok(namespaces);
  BOOST_TEST_REQUIRE(list.is_array());
  BOOST_TEST_REQUIRE(list.size() == 2u);
  std::map<std::string, json> by_name;
  for (auto& ns : list)
    by_name[ns["name"].get<std::string>()] = ns;
  BOOST_TEST(by_name["alpha"] == a);
  BOOST_TEST(by_name["beta"] == b);
  BOOST_TEST(get_ok(namespaces + "/alpha") == a);
  BOOST_TEST(get_ok(namespaces + "/beta")["containerConfig"]["timeoutSecs"] == 60);
  BOOST_TEST(a["id"] != b["id"]);
}

BOOST_AUTO_TEST_CASE(put_merges_the_given_fields_and_keeps_the_others) {
  auto before = create("alpha", json{{"description", "first"},
                                     {"containerConfig", {{"timeoutSecs", 60}}}});
  auto res = client->put(namespaces + "/alpha",
                         json{{"trigger", "@Zed"},
                              {"chatJids", {"slack:C123"}},
                              {"containerConfig", {{"idleTimeoutSecs", 30}}}});
  BOOST_TEST_REQUIRE(res.status == 200, res.body);
  auto after = res.json_body();
  BOOST_TEST(after["description"] == "first");
  BOOST_TEST(after["trigger"] == "@Zed");
  BOOST_TEST(after["chatJids"] == json::array({"slack:C123"}));
  BOOST_TEST(after["containerConfig"]["timeoutSecs"] == 60);
  BOOST_TEST(after["containerConfig"]["idleTimeoutSecs"] == 30);
  BOOST_TEST(after["id"] == before["id"]);
  BOOST_TEST(after["createdAt"] == before["createdAt"]);
  BOOST_TEST(after["updatedAt"].get<std::string>() >= before["updatedAt"].get<std::string>());
  BOOST_TEST(get_ok(namespaces + "/alpha") == after);
}

BOOST_AUTO_TEST_CASE(names_are_looked_up_without_regard_to_case) {
  create("Reporting");
  auto ns = get_ok(namespaces + "/reporting");
  BOOST_TEST(ns["name"] == "Reporting");
}

BOOST_AUTO_TEST_CASE(delete_answers_204_and_then_the_namespace_is_gone) {
  create("alpha");
  create("beta");
  auto res = client->del(namespaces + "/alpha");
  BOOST_TEST(res.status == 204);
  BOOST_TEST(res.body.empty());
  check_error(client->get(namespaces + "/alpha"), 404, "not_found");
  check_error(client->del(namespaces + "/alpha"), 404, "not_found");
  check_error(client->put(namespaces + "/alpha", json{{"description", "x"}}), 404, "not_found");
  auto list = get_ok(namespaces);
  BOOST_TEST_REQUIRE(list.size() == 1u);
  BOOST_TEST(list[0]["name"] == "beta");
  // The folder stays on disk.
  BOOST_TEST(std::filesystem::exists(std::filesystem::path{data} / "groups" / "alpha"));
}

BOOST_AUTO_TEST_CASE(a_deleted_name_can_be_created_again_with_a_new_id) {
  auto first = create("alpha");
  BOOST_TEST_REQUIRE(client->del(namespaces + "/alpha").status == 204);
  auto second = create("alpha");
  BOOST_TEST(second["id"] != first["id"]);
}

BOOST_AUTO_TEST_CASE(group_instructions_are_answered_and_written_to_the_group_file) {
  create("reporting");
  auto empty = get_ok(namespaces + "/reporting/instructions");
  BOOST_TEST(empty["name"] == "reporting");
  BOOST_TEST(empty["content"] == "");
  std::string content = "# Reporting\nSummarise the week.\n";
  auto res = client->put(namespaces + "/reporting/instructions", json{{"content", content}});
  BOOST_TEST_REQUIRE(res.status == 200, res.body);
  auto put = res.json_body();
  BOOST_TEST(put["name"] == "reporting");
  BOOST_TEST(put["content"] == content);
  BOOST_TEST(is_rfc3339_ms(put["updatedAt"].get<std::string>()));
  BOOST_TEST(get_ok(namespaces + "/reporting/instructions") == put);
  BOOST_TEST(file_text(std::filesystem::path{data} / "groups" / "reporting" / "CLAUDE.md")
             == content);
}

BOOST_AUTO_TEST_CASE(global_instructions_are_answered_and_written_to_the_global_file) {
  auto before = get_ok(namespaces + "/global/instructions");
  BOOST_TEST(before["name"] == "global");
  BOOST_TEST(before["content"] == "");
  std::string content = "Be brief.\n";
  auto res = client->put(namespaces + "/global/instructions", json{{"content", content}});
  BOOST_TEST_REQUIRE(res.status == 200, res.body);
  BOOST_TEST(res.json_body()["content"] == content);
  BOOST_TEST(get_ok(namespaces + "/global/instructions")["content"] == content);
  BOOST_TEST(file_text(std::filesystem::path{data} / "global" / "CLAUDE.md") == content);
  // The exact limit is accepted.
  std::string largest(256 * 1024, 'x');
  BOOST_TEST(client->put(namespaces + "/global/instructions", json{{"content", largest}}).status
             == 200);
  BOOST_TEST(file_text(std::filesystem::path{data} / "global" / "CLAUDE.md") == largest);
}

BOOST_AUTO_TEST_CASE(merge_instructions_joins_global_and_group_with_their_sources) {
  create("reporting");
  create("plain");
  BOOST_TEST_REQUIRE(
    client->put(namespaces + "/global/instructions", json{{"content", "GLOBAL"}}).status == 200);
  BOOST_TEST_REQUIRE(
    client->put(namespaces + "/reporting/instructions", json{{"content", "GROUP!"}}).status
    == 200);
  auto res = client->post(namespaces + "/merge-instructions", json{{"group", "reporting"}});
  BOOST_TEST_REQUIRE(res.status == 200, res.body);
  auto merged = res.json_body();
  BOOST_TEST(merged["group"] == "reporting");
  BOOST_TEST(merged["content"] == "GLOBAL\n\n---\n\nGROUP!");
  BOOST_TEST_REQUIRE(merged["sources"].size() == 2u);
  BOOST_TEST(merged["sources"][0]["scope"] == "global");
  BOOST_TEST(merged["sources"][0]["bytes"] == 6);
  BOOST_TEST(merged["sources"][1]["scope"] == "group");
  BOOST_TEST(merged["sources"][1]["bytes"] == 6);
  BOOST_TEST(merged["sources"][1]["updatedAt"]
             == get_ok(namespaces + "/reporting/instructions")["updatedAt"]);
  // An empty part is left out with its separator.
  auto only_global = client->post(namespaces + "/merge-instructions", json{{"group", "plain"}});
  BOOST_TEST_REQUIRE(only_global.status == 200);
  BOOST_TEST(only_global.json_body()["content"] == "GLOBAL");
  BOOST_TEST(only_global.json_body()["sources"].size() == 1u);
  check_error(client->post(namespaces + "/merge-instructions", json{{"group", "nope"}}), 404,
              "not_found");
}

BOOST_AUTO_TEST_SUITE_END()
