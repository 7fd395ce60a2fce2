#include <chrono>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "tests/agent/agent_fixture.hpp"

using namespace pincer::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string podman_script = std::string{PINCER_SOURCE_DIR} + "/scripts/podman.sh";
const std::string image_tag = "localhost/pincer-agent-test:latest";

/// `CONTAINERS_CONF=...` for every podman call: taken from the environment, or written
/// once by `scripts/podman.sh conf` into a folder that lives as long as the test process.
const std::string& containers_conf_env() {
  static const std::string entry = [] {
    if (auto env = std::getenv("CONTAINERS_CONF"); env != nullptr && *env != '\0')
      return "CONTAINERS_CONF=" + std::string{env};
    static scratch_dir conf_dir;
    auto path = conf_dir.at("containers.conf").string();
    auto res = run_process({"bash", podman_script, "conf", path});
    if (res.code != 0)
      BOOST_FAIL("scripts/podman.sh conf failed (" << res.code << "): " << res.err);
    return "CONTAINERS_CONF=" + path;
  }();
  return entry;
}

/// Runs podman with the configuration above; fails the test loudly when podman cannot run.
run_result podman(std::vector<std::string> args, const std::string& input = {},
                  std::chrono::milliseconds timeout = 120s) {
  args.insert(args.begin(), "podman");
  return run_process(args, input, {containers_conf_env()}, timeout);
}

/// Assembles the build context of the test agent image into `ctx`.
void prepare_context(const std::filesystem::path& ctx) {
  auto build_dir = std::filesystem::path{agent_binary}.parent_path().string();
  auto res = run_process({"bash", podman_script, "prepare-test-agent", build_dir, ctx.string()});
  BOOST_REQUIRE_MESSAGE(res.code == 0, "prepare-test-agent failed (" << res.code << "): " << res.err);
}

/// Builds the test agent image once per test process.
void ensure_image() {
  static bool built = false;
  if (built)
    return;
  scratch_dir ctx;
  prepare_context(ctx.path());
  auto res = podman({"build", "-q", "-t", image_tag, "-f", (ctx.at("Containerfile")).string(),
                     ctx.path().string()});
  BOOST_REQUIRE_MESSAGE(res.code == 0,
                        "podman build failed (" << res.code << "):\n" << res.out << res.err);
  built = true;
}

/// A unique container name, so a stuck container can be removed by name.
std::string container_name() {
  static int counter = 0;
  return "pincer-agenttest-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

/// A temp IPC folder mounted into the container at /workspace/ipc.
struct podman_fixture {
  scratch_dir dir;
  std::string name = container_name();

  podman_fixture() {
    ensure_image();
    std::filesystem::create_directories(ipc() / "input");
  }

  ~podman_fixture() {
    // Removes the container if a failed test left it running; nothing to do otherwise.
    run_process({"podman", "rm", "-f", "-t", "0", "--ignore", name}, {}, {containers_conf_env()},
                30s);
  }

  std::filesystem::path ipc() const {
    return dir.at("ipc");
  }

  /// `podman run -i --rm --network none -v <ipc>:/workspace/ipc` plus `extra` mount args.
  std::vector<std::string> run_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"podman", "run", "-i", "--rm", "--name", name,
                                  "--network", "none", "-v", ipc().string() + ":/workspace/ipc"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(image_tag);
    return args;
  }
};

json only_block(const run_result& res) {
  auto blocks = output_blocks(res.out);
  BOOST_REQUIRE_MESSAGE(blocks.size() == 1u,
                        "expected one block, exit " << res.code << ":\n" << res.out << res.err);
  return blocks.front();
}

} // namespace

BOOST_AUTO_TEST_SUITE(agent_podman)

BOOST_AUTO_TEST_CASE(podman_conf_writes_runc_cgroupfs_and_the_hard_nofile_limit_idempotently) {
  scratch_dir dir;
  auto path = dir.at("conf") / "containers.conf";
  auto first = run_process({"bash", podman_script, "conf", path.string()});
  BOOST_REQUIRE_MESSAGE(first.code == 0, first.err);
  auto text = slurp(path);
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  auto nofile = limit.rlim_max == RLIM_INFINITY ? std::string{"1048576"}
                                                 : std::to_string(limit.rlim_max);
  BOOST_TEST(text.find("runtime = \"runc\"") != std::string::npos, text);
  BOOST_TEST(text.find("cgroup_manager = \"cgroupfs\"") != std::string::npos, text);
  BOOST_TEST(text.find("\"nofile=" + nofile + ":" + nofile + "\"") != std::string::npos, text);
  BOOST_TEST(text.find("\"nproc=4096:4096\"") != std::string::npos, text);
  auto second = run_process({"bash", podman_script, "conf", path.string()});
  BOOST_TEST(second.code == 0);
  BOOST_TEST(slurp(path) == text);
  BOOST_TEST(file_names(path.parent_path()) == std::vector<std::string>{"containers.conf"});
}

BOOST_AUTO_TEST_CASE(the_test_agent_context_holds_the_containerfile_busybox_and_the_agent) {
  scratch_dir ctx;
  prepare_context(ctx.path());
  BOOST_TEST(slurp(ctx.at("Containerfile")).find("FROM scratch") != std::string::npos);
  BOOST_TEST(access(ctx.at("bin/busybox").c_str(), X_OK) == 0);
  BOOST_TEST(access(ctx.at("bin/pincer-agent").c_str(), X_OK) == 0);
  prepare_context(ctx.path());
  BOOST_TEST(file_names(ctx.path()) == (std::vector<std::string>{"Containerfile", "bin"}));
}

BOOST_AUTO_TEST_CASE(the_test_agent_image_builds_without_a_registry) {
  ensure_image();
  auto res = podman({"image", "inspect", "--format", "{{.Config.Entrypoint}}", image_tag});
  BOOST_REQUIRE_MESSAGE(res.code == 0, res.err);
  BOOST_TEST(res.out.find("/bin/pincer-agent") != std::string::npos, res.out);
}

BOOST_FIXTURE_TEST_CASE(the_agent_in_a_container_answers_a_prompt_on_stdin, podman_fixture) {
  auto res = run_process(run_args(), agent_input("echo: hello from the box\nsession: s-1\nonce"),
                         {containers_conf_env()}, 60s);
  BOOST_TEST(res.code == 0, res.err);
  auto block = only_block(res);
  BOOST_TEST(block["status"] == "success");
  BOOST_TEST(block["result"] == "hello from the box");
  BOOST_TEST(block["newSessionId"] == "s-1");
}

BOOST_FIXTURE_TEST_CASE(a_failing_agent_in_a_container_passes_its_exit_code_through,
                        podman_fixture) {
  auto res = run_process(run_args(), agent_input("fail: no luck"), {containers_conf_env()}, 60s);
  BOOST_TEST(res.code == 1);
  BOOST_TEST(only_block(res)["error"] == "no luck");
  auto crashed = run_process(run_args(), agent_input("crash"), {containers_conf_env()}, 60s);
  BOOST_TEST(crashed.code == 2);
  BOOST_TEST(crashed.out.empty());
}

BOOST_FIXTURE_TEST_CASE(the_agent_in_a_container_answers_a_follow_up_and_exits_on_close,
                        podman_fixture) {
  child_process child{run_args(), {containers_conf_env()}};
  child.write_stdin(agent_input("echo: first"));
  child.close_stdin();
  BOOST_REQUIRE_MESSAGE(child.wait_for_output(pincer_end, 60s), child.out() << child.err());
  put_file(ipc() / "input" / "1700000000000-aaaa.json",
           R"({"type":"message","text":"echo: second"})");
  BOOST_REQUIRE_MESSAGE(child.wait_for_output(pincer_end, 30s, 2), child.out() << child.err());
  put_file(ipc() / "input" / "_close", "");
  auto code = child.wait(30s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "the container did not exit on _close");
  BOOST_TEST(*code == 0, child.err());
  auto blocks = output_blocks(child.out());
  BOOST_REQUIRE(blocks.size() == 2u);
  BOOST_TEST(blocks[0]["result"] == "first");
  BOOST_TEST(blocks[1]["result"] == "second");
  BOOST_TEST(file_names(ipc() / "input").empty());
}

BOOST_FIXTURE_TEST_CASE(a_send_directive_in_a_container_leaves_a_message_file_on_the_host,
                        podman_fixture) {
  auto res = run_process(run_args(), agent_input("send: tg:7 sent from inside\nonce"),
                         {containers_conf_env()}, 60s);
  BOOST_TEST(res.code == 0, res.err);
  auto names = file_names(ipc() / "messages");
  BOOST_REQUIRE(names.size() == 1u);
  auto msg = json::parse(slurp(ipc() / "messages" / names[0]));
  BOOST_TEST(msg["chatJid"] == "tg:7");
  BOOST_TEST(msg["text"] == "sent from inside");
}

BOOST_FIXTURE_TEST_CASE(a_read_only_mount_makes_a_write_directive_fail_with_an_error_block,
                        podman_fixture) {
  auto global = dir.at("global");
  auto group = dir.at("group");
  std::filesystem::create_directories(global);
  std::filesystem::create_directories(group);
  put_file(global / "CLAUDE.md", "shared memory");
  auto args = run_args({"-v", global.string() + ":/workspace/global:ro", "-v",
                        group.string() + ":/workspace/group"});
  auto ok = run_process(args,
                        agent_input("write: /workspace/group/notes.txt kept\n"
                                    "read: /workspace/global/CLAUDE.md\nonce"),
                        {containers_conf_env()}, 60s);
  BOOST_TEST(ok.code == 0, ok.err);
  BOOST_TEST(only_block(ok)["result"] == "shared memory");
  BOOST_TEST(slurp(group / "notes.txt") == "kept");

  auto denied = run_process(args, agent_input("write: /workspace/global/CLAUDE.md overwritten"),
                            {containers_conf_env()}, 60s);
  BOOST_TEST(denied.code == 1);
  auto block = only_block(denied);
  BOOST_TEST(block["status"] == "error");
  BOOST_TEST(block["error"].get<std::string>().find("Read-only file system") != std::string::npos,
             block.dump());
  BOOST_TEST(slurp(global / "CLAUDE.md") == "shared memory");
}

BOOST_AUTO_TEST_SUITE_END()
