#include <chrono>
#include <csignal>
#include <regex>

#include <boost/test/unit_test.hpp>

#include "tests/agent/agent_fixture.hpp"

using namespace pincer::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// A temp IPC folder and a way to run the agent against it.
struct agent_fixture {
  scratch_dir dir;

  std::filesystem::path ipc() const {
    return dir.at("ipc");
  }

  std::vector<std::string> env(std::vector<std::string> extra = {}) const {
    extra.push_back("PINCER_AGENT_IPC_DIR=" + ipc().string());
    return extra;
  }

  /// Runs the agent to completion on one prompt.
  run_result run(const std::string& prompt, const json& session = nullptr,
                 std::vector<std::string> args = {}, std::vector<std::string> extra_env = {}) {
    std::vector<std::string> argv{agent_binary};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, agent_input(prompt, session), env(std::move(extra_env)), 20s);
  }

  /// Starts the agent on one prompt and leaves it running.
  std::unique_ptr<child_process> start(const std::string& prompt) {
    auto child = std::make_unique<child_process>(std::vector<std::string>{agent_binary}, env());
    child->write_stdin(agent_input(prompt));
    child->close_stdin();
    return child;
  }
};

/// The one block of a finished run, failing the test when there is not exactly one.
json only_block(const run_result& res) {
  auto blocks = output_blocks(res.out);
  BOOST_REQUIRE_MESSAGE(blocks.size() == 1, "expected one block in:\n" << res.out << res.err);
  return blocks.front();
}

const std::regex ipc_file_name{R"(\d{13}-[0-9a-z]{6}\.json)"};

} // namespace

BOOST_AUTO_TEST_SUITE(agent_protocol)

BOOST_FIXTURE_TEST_CASE(an_echo_directive_answers_with_one_success_block_and_once_exits_zero,
                        agent_fixture) {
  auto res = run("echo: hello there\nonce");
  BOOST_TEST(res.code == 0);
  auto block = only_block(res);
  BOOST_TEST(block["status"] == "success");
  BOOST_TEST(block["result"] == "hello there");
  BOOST_TEST(!block.contains("newSessionId"));
  BOOST_TEST(res.out.rfind(pincer_start + '\n', 0) == 0);
}

BOOST_FIXTURE_TEST_CASE(a_fail_directive_prints_an_error_block_and_exits_one, agent_fixture) {
  auto res = run("fail: the model is down");
  BOOST_TEST(res.code == 1);
  auto block = only_block(res);
  BOOST_TEST(block["status"] == "error");
  BOOST_TEST(block["result"].is_null());
  BOOST_TEST(block["error"] == "the model is down");
}

BOOST_FIXTURE_TEST_CASE(a_crash_directive_exits_two_without_output, agent_fixture) {
  auto res = run("crash");
  BOOST_TEST(res.code == 2);
  BOOST_TEST(res.out.empty());
}

BOOST_FIXTURE_TEST_CASE(an_exit_directive_exits_with_its_code_after_writing_stderr,
                        agent_fixture) {
  auto res = run("stderr: something broke\nexit: 7");
  BOOST_TEST(res.code == 7);
  BOOST_TEST(res.out.empty());
  BOOST_TEST(res.err == "something broke\n");
}

BOOST_FIXTURE_TEST_CASE(input_that_is_not_json_is_answered_with_an_error_block, agent_fixture) {
  auto res = run_process({agent_binary}, "{not json", env(), 20s);
  BOOST_TEST(res.code == 1);
  auto block = only_block(res);
  BOOST_TEST(block["status"] == "error");
  BOOST_TEST(block["error"].get<std::string>().find("invalid input") == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_session_directive_puts_the_new_session_id_in_the_result, agent_fixture) {
  auto res = run("echo: ok\nsession: sess-123\nonce");
  BOOST_TEST(res.code == 0);
  auto block = only_block(res);
  BOOST_TEST(block["newSessionId"] == "sess-123");
  BOOST_TEST(block["result"] == "ok");
}

BOOST_FIXTURE_TEST_CASE(nosession_reports_an_unknown_session_only_when_one_was_given,
                        agent_fixture) {
  auto with = run("nosession\necho: fresh\nonce", "stale-1");
  BOOST_TEST(with.code == 1);
  auto block = only_block(with);
  BOOST_TEST(block["status"] == "error");
  BOOST_TEST(block["error"] == "No conversation found with session ID: stale-1");

  auto without = run("nosession\necho: fresh\nonce");
  BOOST_TEST(without.code == 0);
  BOOST_TEST(only_block(without)["result"] == "fresh");
}

BOOST_FIXTURE_TEST_CASE(nanoclaw_markers_are_chosen_by_flag_or_by_directive, agent_fixture) {
  auto by_flag = run("echo: a\nonce", nullptr, {"--nanoclaw-markers"});
  auto by_directive = run("markers: nanoclaw\necho: b\nonce");
  for (auto* res : {&by_flag, &by_directive}) {
    BOOST_TEST(res->code == 0);
    BOOST_TEST(res->out.find("PINCER") == std::string::npos);
    BOOST_TEST(output_blocks(res->out, nanoclaw_start, nanoclaw_end).size() == 1u);
  }
  BOOST_TEST(output_blocks(by_flag.out, nanoclaw_start, nanoclaw_end)[0]["result"] == "a");
  BOOST_TEST(output_blocks(by_directive.out, nanoclaw_start, nanoclaw_end)[0]["result"] == "b");
}

BOOST_FIXTURE_TEST_CASE(a_directive_inside_the_hosts_message_wrapping_still_works,
                        agent_fixture) {
  auto prompt = "<context timezone=\"UTC\" />\n<messages>\n"
                "<message sender=\"alice\" time=\"2026-01-01T00:00:00Z\">echo: fish &amp; chips"
                "</message>\n</messages>\nonce";
  auto res = run(prompt);
  BOOST_TEST(only_block(res)["result"] == "fish & chips");
}

BOOST_FIXTURE_TEST_CASE(plain_text_without_directives_is_echoed_back, agent_fixture) {
  auto res = run("hello\nworld\nonce");
  BOOST_TEST(only_block(res)["result"] == "hello\nworld");
}

BOOST_FIXTURE_TEST_CASE(big_internal_and_env_directives_build_the_result, agent_fixture) {
  auto big = run("big: 100000\nonce");
  auto result = only_block(big)["result"].get<std::string>();
  BOOST_TEST(result.size() == 100000u);
  BOOST_TEST(result.substr(0, 28) == "abcdefghijklmnopqrstuvwxyzab");

  auto internal = run("internal\nonce");
  BOOST_TEST(only_block(internal)["result"] == "<internal>hidden</internal>visible");

  auto env_set = run("env: PINCER_AGENT_TEST_VALUE\nonce", nullptr, {}, {"PINCER_AGENT_TEST_VALUE=42"});
  BOOST_TEST(only_block(env_set)["result"] == "42");
  auto env_unset = run("env: PINCER_AGENT_TEST_UNSET_VALUE\nonce");
  BOOST_TEST(only_block(env_unset)["result"] == "(unset)");
}

BOOST_FIXTURE_TEST_CASE(spam_prints_filler_outside_blocks_before_the_result, agent_fixture) {
  auto res = run("spam: 500\nonce");
  BOOST_TEST(res.code == 0);
  BOOST_TEST(only_block(res)["result"] == "spammed 500 lines");
  BOOST_TEST(res.out.find("filler line 500 of 500") < res.out.find(pincer_start));
}

BOOST_FIXTURE_TEST_CASE(flush_and_idle_print_several_blocks_for_one_prompt, agent_fixture) {
  auto res = run("echo: one\nflush\nsleep: 10\necho: two\nsession: s-9\nidle\nonce");
  auto blocks = output_blocks(res.out);
  BOOST_REQUIRE(blocks.size() == 3u);
  BOOST_TEST(blocks[0]["result"] == "one");
  BOOST_TEST(blocks[1]["result"] == "two");
  BOOST_TEST(blocks[1]["newSessionId"] == "s-9");
  BOOST_TEST(blocks[2]["result"].is_null());
  BOOST_TEST(blocks[2]["newSessionId"] == "s-9");
}

BOOST_FIXTURE_TEST_CASE(the_input_directive_reports_the_fields_the_host_sent, agent_fixture) {
  auto res = run("input\nonce", "s-1");
  auto fields = json::parse(only_block(res)["result"].get<std::string>());
  BOOST_TEST(fields["sessionId"] == "s-1");
  BOOST_TEST(fields["groupFolder"] == "team");
  BOOST_TEST(fields["chatJid"] == "tg:42");
  BOOST_TEST(fields["isMain"] == false);
  BOOST_TEST(fields["assistantName"] == "Andy");
}

BOOST_FIXTURE_TEST_CASE(follow_up_files_are_answered_in_name_order_and_deleted, agent_fixture) {
  auto child = start("echo: first");
  BOOST_REQUIRE(child->wait_for_output(pincer_end, 10s));
  auto input = ipc() / "input";
  put_file(input / "1700000000002-bbbb.json", R"({"type":"message","text":"echo: third"})");
  put_file(input / "1700000000001-aaaa.json", R"({"type":"message","text":"echo: second"})");
  put_file(input / "1700000000000-zzzz.json.tmp", R"({"type":"message","text":"echo: never"})");
  BOOST_REQUIRE_MESSAGE(child->wait_for_output(pincer_end, 10s, 3), child->out());
  auto blocks = output_blocks(child->out());
  BOOST_REQUIRE(blocks.size() == 3u);
  BOOST_TEST(blocks[1]["result"] == "second");
  BOOST_TEST(blocks[2]["result"] == "third");
  BOOST_TEST(file_names(input) == std::vector<std::string>{"1700000000000-zzzz.json.tmp"});
  BOOST_TEST(!child->wait(300ms).has_value(), "the agent must keep waiting without _close");
}

BOOST_FIXTURE_TEST_CASE(close_ends_the_agent_with_exit_zero_and_is_deleted, agent_fixture) {
  auto child = start("echo: first\nstay");
  BOOST_REQUIRE(child->wait_for_output(pincer_end, 10s));
  auto input = ipc() / "input";
  put_file(input / "1700000000000-aaaa.json", R"({"type":"message","text":"echo: last words"})");
  put_file(input / "_close", "");
  auto code = child->wait(10s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 0);
  auto blocks = output_blocks(child->out());
  BOOST_REQUIRE(blocks.size() == 2u);
  BOOST_TEST(blocks[1]["result"] == "last words");
  BOOST_TEST(file_names(input).empty());
}

BOOST_FIXTURE_TEST_CASE(a_follow_up_can_end_the_agent_with_a_failure, agent_fixture) {
  auto child = start("echo: first");
  BOOST_REQUIRE(child->wait_for_output(pincer_end, 10s));
  put_file(ipc() / "input" / "1700000000000-aaaa.json",
           R"({"type":"message","text":"fail: second turn broke"})");
  auto code = child->wait(10s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 1);
  auto blocks = output_blocks(child->out());
  BOOST_REQUIRE(blocks.size() == 2u);
  BOOST_TEST(blocks[1]["error"] == "second turn broke");
}

BOOST_FIXTURE_TEST_CASE(a_hanging_agent_prints_nothing_and_exits_on_sigterm, agent_fixture) {
  auto child = start("hang");
  BOOST_TEST(!child->wait(300ms).has_value());
  BOOST_TEST(child->out().empty());
  child->signal(SIGTERM);
  auto code = child->wait(10s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 128 + SIGTERM);
}

BOOST_FIXTURE_TEST_CASE(send_writes_a_message_file_atomically_into_messages, agent_fixture) {
  auto res = run("send: tg:99 the report is ready\nonce");
  BOOST_TEST(res.code == 0);
  auto names = file_names(ipc() / "messages");
  BOOST_REQUIRE(names.size() == 1u);
  BOOST_TEST(std::regex_match(names[0], ipc_file_name), names[0]);
  auto msg = json::parse(slurp(ipc() / "messages" / names[0]));
  BOOST_TEST(msg["type"] == "message");
  BOOST_TEST(msg["chatJid"] == "tg:99");
  BOOST_TEST(msg["text"] == "the report is ready");
  BOOST_TEST(msg["groupFolder"] == "team");
  BOOST_TEST(only_block(res)["result"].is_null());
}

BOOST_FIXTURE_TEST_CASE(task_writes_its_json_atomically_into_tasks, agent_fixture) {
  auto res = run(R"(task: {"type":"pause_task","taskId":"task-1"})" "\nonce");
  BOOST_TEST(res.code == 0);
  auto names = file_names(ipc() / "tasks");
  BOOST_REQUIRE(names.size() == 1u);
  BOOST_TEST(std::regex_match(names[0], ipc_file_name), names[0]);
  BOOST_TEST(json::parse(slurp(ipc() / "tasks" / names[0]))
             == json::parse(R"({"type":"pause_task","taskId":"task-1"})"));

  auto bad = run("task: {not json");
  BOOST_TEST(bad.code == 1);
  BOOST_TEST(only_block(bad)["error"].get<std::string>().find("task:") == 0u);
}

BOOST_FIXTURE_TEST_CASE(write_creates_a_file_and_reports_a_failure_in_an_error_block,
                        agent_fixture) {
  auto target = dir.at("note.txt");
  auto ok = run("write: " + target.string() + " kept safe\nread: " + target.string() + "\nonce");
  BOOST_TEST(ok.code == 0);
  BOOST_TEST(slurp(target) == "kept safe");
  BOOST_TEST(only_block(ok)["result"] == "kept safe");

  auto missing = dir.at("no-such-dir") / "note.txt";
  auto failed = run("write: " + missing.string() + " lost");
  BOOST_TEST(failed.code == 1);
  auto block = only_block(failed);
  BOOST_TEST(block["status"] == "error");
  auto error = block["error"].get<std::string>();
  BOOST_TEST(error.find("write: cannot open " + missing.string()) == 0u, error);
  BOOST_TEST(error.find("No such file or directory") != std::string::npos, error);
}

BOOST_FIXTURE_TEST_CASE(a_bad_number_is_an_error_block, agent_fixture) {
  auto res = run("sleep: soon");
  BOOST_TEST(res.code == 1);
  BOOST_TEST(only_block(res)["error"] == "sleep: not a non-negative number: 'soon'");
}

BOOST_AUTO_TEST_SUITE_END()
