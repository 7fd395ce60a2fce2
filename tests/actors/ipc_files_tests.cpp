#include "actors/ipc_files.hpp"

#include <fstream>
#include <set>

#include <boost/test/unit_test.hpp>

#include "tests/storage/temp_dir.hpp"

using namespace pincer;
namespace fs = std::filesystem;

namespace {

struct ipc_fixture {
  test::temp_dir tmp;
  fs::path root = tmp.at("ipc");

  ipc_fixture() {
    BOOST_REQUIRE(ensure_ipc_dirs(root, "team"));
  }

  void put(const fs::path& file, const std::string& content) {
    std::ofstream out{file, std::ios::binary};
    out << content;
  }

  std::string slurp(const fs::path& file) {
    std::ifstream in{file, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, {}};
  }

  std::vector<std::string> names(const fs::path& dir) {
    std::vector<std::string> out;
    for (auto& e : fs::directory_iterator{dir})
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

const ipc_identity main_group{"main", true, {"tg:main"}};
const ipc_identity team_group{"team", false, {"tg:team", "sl:team"}};

/// One row of the authorization matrix.
struct matrix_row {
  const char* what;
  ipc_kind kind;
  const char* file;
  const ipc_identity* who;
  ipc_action action;
  const char* reason; ///< Empty unless rejected.
  bool to_errors;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_ipc_files, ipc_fixture)

BOOST_AUTO_TEST_CASE(ensure_creates_the_layout_once_and_refuses_bad_group_names) {
  for (auto dir : {"team/messages", "team/tasks", "team/input", "errors"})
    BOOST_TEST(fs::is_directory(root / dir), dir);
  auto again = ensure_ipc_dirs(root, "team");
  BOOST_REQUIRE(again);
  BOOST_TEST(!*again);
  for (auto bad : {"", "../outside", "a/b", "errors", ".hidden"}) {
    auto r = ensure_ipc_dirs(root, bad);
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.err().code == ec::validation_failed);
    BOOST_TEST(r.err().field == "group");
  }
  BOOST_TEST(!fs::exists(tmp.at("outside")));
  BOOST_TEST(ipc_group_dir(root, "team") == root / "team");
}

BOOST_AUTO_TEST_CASE(ensure_replaces_a_symlink_planted_in_place_of_a_folder) {
  fs::create_directories(tmp.at("elsewhere"));
  fs::remove(root / "team" / "messages");
  fs::create_directory_symlink(tmp.at("elsewhere"), root / "team" / "messages");
  auto made = ensure_ipc_dirs(root, "team");
  BOOST_REQUIRE(made);
  BOOST_TEST(*made);
  BOOST_TEST(!fs::is_symlink(root / "team" / "messages"));
  BOOST_TEST(fs::is_directory(root / "team" / "messages"));
}

BOOST_AUTO_TEST_CASE(input_messages_are_json_files_whose_names_sort_in_write_order) {
  std::vector<std::string> written;
  for (int i = 0; i < 300; ++i) {
    auto name = write_input_message(root, "team", "text " + std::to_string(i));
    BOOST_REQUIRE(name);
    written.push_back(*name);
  }
  auto sorted = written;
  std::sort(sorted.begin(), sorted.end());
  BOOST_TEST(sorted == written);
  BOOST_TEST(std::set<std::string>(written.begin(), written.end()).size() == written.size());
  auto& first = written.front();
  BOOST_TEST(first.size() == 13 + 1 + 6 + 5);
  BOOST_TEST(first.substr(first.size() - 5) == ".json");
  auto body = json::parse(slurp(root / "team" / "input" / first));
  BOOST_TEST(body == (json{{"type", "message"}, {"text", "text 0"}}));
  BOOST_TEST(names(root / "team" / "input").size() == 300u); // no temp files left
}

BOOST_AUTO_TEST_CASE(close_writes_an_empty_sentinel_and_clear_empties_the_input_folder) {
  BOOST_REQUIRE(write_input_message(root, "team", "hello"));
  BOOST_REQUIRE(write_close(root, "team"));
  BOOST_TEST(fs::exists(root / "team" / "input" / "_close"));
  BOOST_TEST(fs::file_size(root / "team" / "input" / "_close") == 0u);
  fs::create_directories(root / "team" / "input" / "sub" / "deeper");
  fs::create_directories(tmp.at("keep"));
  put(tmp.at("keep") / "file", "x");
  fs::create_directory_symlink(tmp.at("keep"), root / "team" / "input" / "link");
  BOOST_REQUIRE(clear_input(root, "team"));
  BOOST_TEST(names(root / "team" / "input").empty());
  BOOST_TEST(fs::exists(tmp.at("keep") / "file")); // the link's target is untouched
  BOOST_TEST(!write_close(root, "../x"));
}

BOOST_AUTO_TEST_CASE(close_sentinels_are_links_to_one_empty_file_outside_the_groups) {
  BOOST_REQUIRE(ensure_ipc_dirs(root, "other"));
  BOOST_REQUIRE(write_close(root, "team"));
  BOOST_REQUIRE(write_close(root, "team")); // one not yet taken: still fine
  BOOST_REQUIRE(write_close(root, "other"));
  auto a = root / "team" / "input" / "_close";
  auto b = root / "other" / "input" / "_close";
  BOOST_TEST(fs::is_regular_file(fs::symlink_status(a)));
  BOOST_TEST(fs::equivalent(a, b));
  BOOST_TEST(fs::equivalent(a, root / ".close"));
  BOOST_TEST(fs::hard_link_count(a) == 3u);
  BOOST_TEST(names(root / "team" / "input") == std::vector<std::string>{"_close"});
  BOOST_REQUIRE(clear_input(root, "team"));
  BOOST_TEST(fs::hard_link_count(b) == 2u);
}

BOOST_AUTO_TEST_CASE(a_tampered_close_template_or_sentinel_is_replaced_not_followed) {
  // A container wrote into its `_close` (the shared file): the next one is
  // empty again, and the written one is left to its group.
  BOOST_REQUIRE(write_close(root, "team"));
  put(root / "team" / "input" / "_close", "junk");
  BOOST_REQUIRE(clear_input(root, "team"));
  BOOST_REQUIRE(write_close(root, "team"));
  BOOST_TEST(fs::file_size(root / "team" / "input" / "_close") == 0u);
  BOOST_REQUIRE(clear_input(root, "team"));
  // The template swapped for a symlink to a file elsewhere.
  put(tmp.at("outside"), "secret");
  fs::remove(root / ".close");
  fs::create_symlink(tmp.at("outside"), root / ".close");
  BOOST_REQUIRE(write_close(root, "team"));
  auto sentinel = root / "team" / "input" / "_close";
  BOOST_TEST(fs::is_regular_file(fs::symlink_status(sentinel)));
  BOOST_TEST(fs::file_size(sentinel) == 0u);
  BOOST_TEST(slurp(tmp.at("outside")) == "secret");
  // A symlink where `_close` goes, made from inside the container.
  BOOST_REQUIRE(clear_input(root, "team"));
  fs::create_symlink(tmp.at("outside"), sentinel);
  BOOST_REQUIRE(write_close(root, "team"));
  BOOST_TEST(fs::is_regular_file(fs::symlink_status(sentinel)));
  BOOST_TEST(fs::file_size(sentinel) == 0u);
  BOOST_TEST(slurp(tmp.at("outside")) == "secret");
}

BOOST_AUTO_TEST_CASE(input_writes_never_follow_a_symlinked_input_folder) {
  fs::create_directories(tmp.at("target"));
  fs::remove_all(root / "team" / "input");
  fs::create_directory_symlink(tmp.at("target"), root / "team" / "input");
  BOOST_REQUIRE(write_input_message(root, "team", "hi"));
  BOOST_TEST(names(tmp.at("target")).empty());
  BOOST_TEST(!fs::is_symlink(root / "team" / "input"));
  BOOST_TEST(names(root / "team" / "input").size() == 1u);
}

BOOST_AUTO_TEST_CASE(pending_files_are_json_only_sorted_and_never_symlinks) {
  auto dir = root / "team" / "messages";
  for (auto name : {"3.json", "1.json", "2.json", "4.json.tmp", "5.tmp", "6.txt", ".json"})
    put(dir / name, "{}");
  fs::create_directories(dir / "7.json");
  put(tmp.at("secret.json"), "{}");
  fs::create_symlink(tmp.at("secret.json"), dir / "8.json");
  auto files = pending_ipc_files(root, "team", ipc_kind::messages);
  std::vector<std::string> got;
  for (auto& f : files)
    got.push_back(f.filename().string());
  BOOST_TEST(got == (std::vector<std::string>{"1.json", "2.json", "3.json"}));
  BOOST_TEST(pending_ipc_files(root, "team", ipc_kind::tasks).empty());
  BOOST_TEST(pending_ipc_files(root, "errors", ipc_kind::messages).empty());
  BOOST_TEST(pending_ipc_files(root, "nobody", ipc_kind::messages).empty());
  BOOST_TEST(has_pending_ipc_files(root, "team"));
  auto read = read_ipc_file(dir / "8.json");
  BOOST_REQUIRE(!read);
  BOOST_TEST(read.err().code == ec::validation_failed);
}

BOOST_AUTO_TEST_CASE(a_symlinked_messages_folder_lists_nothing) {
  auto outside = tmp.at("outside");
  fs::create_directories(outside);
  put(outside / "a.json", "{}");
  fs::remove_all(root / "team" / "tasks");
  fs::create_directory_symlink(outside, root / "team" / "tasks");
  BOOST_TEST(pending_ipc_files(root, "team", ipc_kind::tasks).empty());
  BOOST_TEST(!read_ipc_file(root / "team" / "tasks" / "a.json"));
  BOOST_TEST(!remove_ipc_file(root / "team" / "tasks" / "a.json"));
  BOOST_TEST(fs::exists(outside / "a.json"));
}

BOOST_AUTO_TEST_CASE(reading_is_bounded_and_removing_and_moving_to_errors_work) {
  auto dir = root / "team" / "tasks";
  put(dir / "big.json", std::string(max_ipc_file_bytes + 1, ' '));
  auto big = read_ipc_file(dir / "big.json");
  BOOST_REQUIRE(!big);
  BOOST_TEST(big.err().code == ec::payload_too_large);
  auto d = decide_ipc_path(ipc_kind::tasks, dir / "big.json", main_group);
  BOOST_TEST(d.reason == "too_large");
  BOOST_TEST(d.to_errors);
  auto moved = move_to_errors(root, "team", dir / "big.json");
  BOOST_REQUIRE(moved);
  BOOST_TEST(*moved == root / "errors" / "team-big.json");
  BOOST_TEST(fs::file_size(*moved) == max_ipc_file_bytes + 1);
  BOOST_TEST(!fs::exists(dir / "big.json"));
  put(dir / "ok.json", R"({"type":"refresh_groups"})");
  BOOST_TEST(*read_ipc_file(dir / "ok.json") == R"({"type":"refresh_groups"})");
  BOOST_TEST((decide_ipc_path(ipc_kind::tasks, dir / "ok.json", main_group).action
              == ipc_action::refresh_groups));
  BOOST_REQUIRE(remove_ipc_file(dir / "ok.json"));
  BOOST_TEST(!fs::exists(dir / "ok.json"));
  BOOST_CHECK(remove_ipc_file(dir / "ok.json")); // already gone is fine
  BOOST_TEST(read_ipc_file(dir / "ok.json").err().code == ec::not_found);
  BOOST_TEST(decide_ipc_path(ipc_kind::tasks, dir / "ok.json", main_group).reason == "unreadable");
}

BOOST_AUTO_TEST_CASE(decisions_follow_the_authorization_matrix) {
  const char* sched = R"({"type":"schedule_task","prompt":"p","schedule_type":"cron",)"
                      R"("schedule_value":"0 9 * * *","targetJid":"tg:team"})";
  const char* sched_main = R"({"type":"schedule_task","prompt":"p","schedule_type":"once",)"
                           R"("schedule_value":"2030-01-01T00:00:00Z","targetJid":"tg:main"})";
  const char* reg = R"({"type":"register_group","jid":"tg:new","name":"New group",)"
                    R"("folder":"new-group","trigger":"@Andy"})";
  std::vector<matrix_row> rows{
    {"main sends to its chat", ipc_kind::messages,
     R"({"type":"message","chatJid":"tg:main","text":"hi"})", &main_group,
     ipc_action::send_message, "", false},
    {"main sends to an unregistered chat", ipc_kind::messages,
     R"({"type":"message","chatJid":"tg:999","text":"hi"})", &main_group,
     ipc_action::send_message, "", false},
    {"a group sends to its own chat", ipc_kind::messages,
     R"({"type":"message","chatJid":"sl:team","text":"hi"})", &team_group,
     ipc_action::send_message, "", false},
    {"a group sends to another chat", ipc_kind::messages,
     R"({"type":"message","chatJid":"tg:main","text":"hi"})", &team_group, ipc_action::reject,
     "unauthorized", false},
    {"a group claims to be main in the file", ipc_kind::messages,
     R"({"type":"message","chatJid":"tg:main","text":"hi","isMain":true,"groupFolder":"main"})",
     &team_group, ipc_action::reject, "unauthorized", false},
    {"a message without text", ipc_kind::messages,
     R"({"type":"message","chatJid":"tg:team","text":""})", &team_group, ipc_action::reject,
     "missing_field", false},
    {"a message with a numeric chat", ipc_kind::messages,
     R"({"type":"message","chatJid":5,"text":"x"})", &main_group, ipc_action::reject,
     "invalid_field", false},
    {"a task type in messages", ipc_kind::messages, R"({"type":"refresh_groups"})",
     &main_group, ipc_action::reject, "unknown_type", false},
    {"broken JSON", ipc_kind::messages, R"({"type":"message",)", &main_group,
     ipc_action::reject, "invalid_json", true},
    {"an array", ipc_kind::tasks, R"([1,2])", &main_group, ipc_action::reject, "not_an_object",
     true},
    {"no type", ipc_kind::tasks, R"({"taskId":"t"})", &main_group, ipc_action::reject,
     "missing_field", false},
    {"main schedules for any chat", ipc_kind::tasks, sched, &main_group,
     ipc_action::schedule_op, "", false},
    {"a group schedules for its chat", ipc_kind::tasks, sched, &team_group,
     ipc_action::schedule_op, "", false},
    {"a group schedules for another chat", ipc_kind::tasks, sched_main, &team_group,
     ipc_action::reject, "unauthorized", false},
    {"a schedule without a target", ipc_kind::tasks,
     R"({"type":"schedule_task","prompt":"p","schedule_type":"cron","schedule_value":"x"})",
     &main_group, ipc_action::reject, "missing_field", false},
    {"a group pauses a task", ipc_kind::tasks, R"({"type":"pause_task","taskId":"t1"})",
     &team_group, ipc_action::schedule_op, "", false},
    {"a group resumes a task", ipc_kind::tasks, R"({"type":"resume_task","taskId":"t1"})",
     &team_group, ipc_action::schedule_op, "", false},
    {"main cancels a task", ipc_kind::tasks, R"({"type":"cancel_task","taskId":"t1"})",
     &main_group, ipc_action::schedule_op, "", false},
    {"a group updates a task", ipc_kind::tasks,
     R"({"type":"update_task","taskId":"t1","prompt":"new"})", &team_group,
     ipc_action::schedule_op, "", false},
    {"a pause without a task id", ipc_kind::tasks, R"({"type":"pause_task"})", &main_group,
     ipc_action::reject, "missing_field", false},
    {"main registers a group", ipc_kind::tasks, reg, &main_group, ipc_action::register_group,
     "", false},
    {"a group registers a group", ipc_kind::tasks, reg, &team_group, ipc_action::reject,
     "unauthorized", false},
    {"main registers a folder outside", ipc_kind::tasks,
     R"({"type":"register_group","jid":"tg:x","name":"x","folder":"../../outside","trigger":"@A"})",
     &main_group, ipc_action::reject, "invalid_field", false},
    {"main registers the reserved folder global", ipc_kind::tasks,
     R"({"type":"register_group","jid":"tg:x","name":"x","folder":"Global","trigger":"@A"})",
     &main_group, ipc_action::reject, "invalid_field", false},
    {"main registers without a folder", ipc_kind::tasks,
     R"({"type":"register_group","jid":"tg:x","name":"x","trigger":"@A"})", &main_group,
     ipc_action::reject, "missing_field", false},
    {"main registers without a trigger", ipc_kind::tasks,
     R"({"type":"register_group","jid":"tg:x","name":"x","folder":"x"})", &main_group,
     ipc_action::reject, "missing_field", false},
    {"main refreshes groups", ipc_kind::tasks, R"({"type":"refresh_groups"})", &main_group,
     ipc_action::refresh_groups, "", false},
    {"a group refreshes groups", ipc_kind::tasks, R"({"type":"refresh_groups"})", &team_group,
     ipc_action::reject, "unauthorized", false},
    {"an unknown task type", ipc_kind::tasks, R"({"type":"format_disk"})", &main_group,
     ipc_action::reject, "unknown_type", false},
  };
  for (auto& row : rows) {
    BOOST_TEST_CONTEXT(row.what) {
      auto d = decide_ipc_file(row.kind, row.file, *row.who);
      BOOST_TEST(std::string{to_string(d.action)} == to_string(row.action));
      BOOST_TEST(d.reason == row.reason);
      BOOST_TEST(d.to_errors == row.to_errors);
      if (d.action == ipc_action::reject)
        BOOST_TEST(!d.message.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(decisions_carry_what_the_caller_needs) {
  auto msg = decide_ipc_file(ipc_kind::messages,
                             R"({"type":"message","chatJid":"tg:team","text":"<b>x</b>",)"
                             R"("sender":"Bot"})",
                             team_group);
  BOOST_TEST(msg.chat_jid == "tg:team");
  BOOST_TEST(msg.text == "<b>x</b>");
  BOOST_TEST(msg.sender == "Bot");
  BOOST_TEST(msg.type == "message");
  auto missing = decide_ipc_file(ipc_kind::messages, R"({"type":"message","text":"x"})",
                                 team_group);
  BOOST_TEST(missing.field == "chatJid");
  BOOST_TEST(missing.to_json()["reason"] == "missing_field");
  BOOST_TEST(missing.to_json()["field"] == "chatJid");

  auto op = decide_ipc_file(ipc_kind::tasks, R"({"type":"pause_task","taskId":"t1"})", team_group);
  BOOST_TEST(op.body == (json{{"type", "pause_task"}, {"taskId", "t1"}}));
  BOOST_TEST(op.type == "pause_task");

  auto reg = decide_ipc_file(ipc_kind::tasks,
                             R"({"type":"register_group","jid":"tg:new","name":"New",)"
                             R"("folder":"new-group","trigger":"@Andy","requiresTrigger":false,)"
                             R"("isMain":true,"containerConfig":{"timeoutSecs":60}})",
                             main_group);
  BOOST_REQUIRE((reg.action == ipc_action::register_group));
  BOOST_TEST(reg.body == (json{{"name", "new-group"},
                               {"description", "New"},
                               {"chatJids", {"tg:new"}},
                               {"trigger", "@Andy"},
                               {"requiresTrigger", false},
                               {"containerConfig", {{"timeoutSecs", 60}}}}));
  BOOST_TEST(!reg.body.contains("isMain"));
  auto bad = decide_ipc_file(ipc_kind::tasks,
                             R"({"type":"register_group","jid":"tg:new","name":"New",)"
                             R"("folder":"g","trigger":"@A","requiresTrigger":"no"})",
                             main_group);
  BOOST_TEST(bad.reason == "invalid_field");
  BOOST_TEST(bad.field == "requiresTrigger");
}

BOOST_AUTO_TEST_SUITE_END()
