#include "actors/directory.hpp"

#include <filesystem>

#include "actors/event_log.hpp"
#include "actors/workspace.hpp"
#include "storage/files.hpp"
#include "tests/actors/fixture.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

struct directory_fixture : deterministic_fixture {
  temp_dir dir;
  std::shared_ptr<event_store> store{make_memory_store()};
  event_log_actor log = track(spawn_event_log(sys, store, false));
  directory_actor directory = spawn_directory();
  caf::actor workspace = track(spawn_workspace(sys, store, log, dir.path().string(), false));
  request_meta meta{"key:test", "req-1"};

  directory_actor spawn_directory() {
    return track(sys.spawn(pincer::directory,
                           namespace_context{store, log, dir.path().string()},
                           std::string{"Andy"}));
  }

  caf::expected<reply> create(json body) {
    return ask<reply>(directory, create_atom::value, std::move(body), meta);
  }

  ec code_of(const caf::expected<reply>& r) {
    return r ? ec::none : from_caf(r.error()).code;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_directory, directory_fixture)

BOOST_AUTO_TEST_CASE(creating_a_namespace_answers_201_with_defaults_and_the_workspace_makes_its_folder) {
  auto r = create(json{{"name", "reporting"}, {"description", "Reports"}});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 201);
  BOOST_TEST(r->body["name"] == "reporting");
  BOOST_TEST(r->body["trigger"] == "@Andy");
  BOOST_TEST(r->body["requiresTrigger"] == true);
  BOOST_TEST(r->body["id"].get<std::string>().size() == 36u);
  BOOST_TEST(std::filesystem::exists(dir.sub("groups/reporting/CLAUDE.md")));
  BOOST_TEST(store->stream_version("namespace/reporting") == 1u);
}

BOOST_AUTO_TEST_CASE(a_taken_name_is_a_conflict_in_any_letter_case) {
  BOOST_REQUIRE(create(json{{"name", "Team"}}));
  BOOST_TEST(code_of(create(json{{"name", "team"}})) == ec::conflict);
  BOOST_TEST(store->last_seq() == 1u);
}

BOOST_AUTO_TEST_CASE(concurrent_creates_of_one_name_let_exactly_one_win) {
  auto a = self->request(directory, caf::infinite, create_atom::value,
                         json{{"name", "same"}}, meta);
  auto b = self->request(directory, caf::infinite, create_atom::value,
                         json{{"name", "same"}}, meta);
  run();
  int ok = 0, conflicts = 0;
  for (auto* h : {&a, &b})
    h->receive([&](reply&) { ++ok; },
               [&](caf::error& e) { conflicts += from_caf(e).code == ec::conflict; });
  BOOST_TEST(ok == 1);
  BOOST_TEST(conflicts == 1);
}

BOOST_AUTO_TEST_CASE(only_one_namespace_can_be_main) {
  BOOST_REQUIRE(create(json{{"name", "main"}, {"isMain", true}}));
  BOOST_TEST(code_of(create(json{{"name", "other"}, {"isMain", true}})) == ec::conflict);
  BOOST_REQUIRE(create(json{{"name", "other"}}));
  auto r = ask<reply>(directory, update_atom::value, std::string{"other"},
                      json{{"isMain", true}}, meta);
  BOOST_TEST(code_of(r) == ec::conflict);
}

BOOST_AUTO_TEST_CASE(a_chat_belongs_to_at_most_one_namespace) {
  BOOST_REQUIRE(create(json{{"name", "a"}, {"chatJids", {"tg:1"}}}));
  auto r = create(json{{"name", "b"}, {"chatJids", {"tg:1"}}});
  BOOST_TEST(code_of(r) == ec::conflict);
  BOOST_TEST(from_caf(r.error()).field == "chatJids");
}

BOOST_AUTO_TEST_CASE(update_merges_fields_and_keeps_the_rest) {
  BOOST_REQUIRE(create(json{{"name", "m"}, {"description", "one"},
                            {"containerConfig", {{"timeoutSecs", 60}}}}));
  auto r = ask<reply>(directory, update_atom::value, std::string{"m"},
                      json{{"containerConfig", {{"idleTimeoutSecs", 5}}}}, meta);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->body["description"] == "one");
  BOOST_TEST(r->body["containerConfig"]["timeoutSecs"] == 60);
  BOOST_TEST(r->body["containerConfig"]["idleTimeoutSecs"] == 5);
}

BOOST_AUTO_TEST_CASE(an_update_that_changes_nothing_appends_nothing) {
  BOOST_REQUIRE(create(json{{"name", "same"}, {"description", "x"}}));
  auto before = store->last_seq();
  auto r = ask<reply>(directory, update_atom::value, std::string{"same"},
                      json{{"description", "x"}}, meta);
  BOOST_REQUIRE(r);
  BOOST_TEST(store->last_seq() == before);
}

BOOST_AUTO_TEST_CASE(deleted_namespaces_disappear_and_their_name_can_be_reused) {
  BOOST_REQUIRE(create(json{{"name", "gone"}}));
  auto del = ask<reply>(directory, caf::delete_atom::value, std::string{"gone"}, false, meta);
  BOOST_REQUIRE(del);
  BOOST_TEST(del->status == 204);
  auto get = ask<reply>(directory, caf::get_atom::value, std::string{"gone"});
  BOOST_TEST(code_of(get) == ec::not_found);
  BOOST_TEST(create(json{{"name", "gone"}}).value().status == 201);
  BOOST_TEST(std::filesystem::exists(dir.sub("groups/gone")));
}

BOOST_AUTO_TEST_CASE(instructions_are_written_to_claude_md_and_merged_with_global) {
  BOOST_REQUIRE(create(json{{"name", "rep"}}));
  auto put = ask<reply>(directory, instructions_atom::value, std::string{"rep"},
                        json{{"content", "# Rep"}}, meta);
  BOOST_REQUIRE(put);
  BOOST_TEST(put->body["content"] == "# Rep");
  BOOST_TEST(read_file(dir.sub("groups/rep/CLAUDE.md")).value() == "# Rep");
  auto merged = ask<reply>(directory, merge_atom::value, json{{"group", "rep"}});
  BOOST_REQUIRE(merged);
  BOOST_TEST(merged->body["content"] == "# Rep");
  BOOST_TEST(merged->body["sources"].size() == 1u);
  BOOST_REQUIRE(ask<reply>(directory, instructions_atom::value, std::string{"global"},
                           json{{"content", "G"}}, meta));
  BOOST_TEST(read_file(dir.sub("global/CLAUDE.md")).value() == "G");
  merged = ask<reply>(directory, merge_atom::value, json{{"group", "rep"}});
  BOOST_TEST(merged->body["content"] == "G\n\n---\n\n# Rep");
  BOOST_TEST(merged->body["sources"][0]["scope"] == "global");
}

BOOST_AUTO_TEST_CASE(a_new_directory_rebuilds_the_same_answers_from_the_log) {
  BOOST_REQUIRE(create(json{{"name", "x1"}, {"chatJids", {"wa:4912345678"}}}));
  BOOST_REQUIRE(create(json{{"name", "x2"}, {"isMain", true}}));
  BOOST_REQUIRE(ask<reply>(directory, instructions_atom::value, std::string{"x1"},
                           json{{"content", "hello"}}, meta));
  auto before = ask<reply>(directory, list_atom::value);
  auto fresh = spawn_directory();
  auto after = ask<reply>(fresh, list_atom::value);
  BOOST_REQUIRE(before && after);
  BOOST_TEST(before->body == after->body);
  BOOST_TEST(after->body[0]["chatJids"][0] == "4912345678@s.whatsapp.net");
  auto instr = ask<reply>(fresh, caf::get_atom::value, instructions_atom::value,
                          std::string{"x1"});
  BOOST_TEST(instr->body["content"] == "hello");
  // The rules still hold after the rebuild.
  BOOST_TEST(code_of(ask<reply>(fresh, create_atom::value,
                                json{{"name", "x3"}, {"isMain", true}}, meta))
             == ec::conflict);
}

BOOST_AUTO_TEST_CASE(an_existing_claude_md_is_adopted_when_a_namespace_is_created) {
  BOOST_REQUIRE(write_file_atomic(dir.sub("groups/old/CLAUDE.md"), "# Kept"));
  BOOST_REQUIRE(create(json{{"name", "old"}}));
  auto instr = ask<reply>(directory, caf::get_atom::value, instructions_atom::value,
                          std::string{"old"});
  BOOST_TEST(instr->body["content"] == "# Kept");
  BOOST_TEST(read_file(dir.sub("groups/old/CLAUDE.md")).value() == "# Kept");
}

BOOST_AUTO_TEST_SUITE_END()
