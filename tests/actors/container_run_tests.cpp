#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "actors/mount_policy.hpp"
#include "actors/process.hpp"
#include "actors/runtime.hpp"
#include "events/time.hpp"
#include "storage/files.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;

namespace {

namespace fs = std::filesystem;

/// A podman set-up for one test: containers.conf, the test-agent image built
/// from its FROM-scratch context through the runtime layer.
struct container_fixture {
  test::temp_dir dir;
  process_runner runner;
  std::string tag = "localhost/pincer-run-test:" + make_uuid().substr(0, 8);
  runtime_info info;

  container_fixture() {
    if (!std::getenv("CONTAINERS_CONF")) {
      auto conf = dir.sub("containers.conf");
      auto made = sh({"bash", PINCER_SOURCE_DIR "/scripts/podman.sh", "conf", conf});
      BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.err);
      setenv("CONTAINERS_CONF", conf.c_str(), 1);
    }
    auto probe = sh(probe_command(runtime_backend::podman));
    info = interpret_probe(runtime_backend::podman, probe, false);
    BOOST_REQUIRE_MESSAGE(info.available, "podman is not usable: " << probe.err);
    auto ctx = dir.sub("ctx");
    auto agent_dir = fs::path{PINCER_AGENT_BINARY}.parent_path().string();
    auto prepared = sh({"bash", PINCER_SOURCE_DIR "/scripts/podman.sh", "prepare-test-agent",
                        agent_dir, ctx});
    BOOST_REQUIRE_MESSAGE(prepared.exit_code == 0, prepared.err);
    auto built = sh(build_image_args(runtime_backend::podman, tag, ctx, "Containerfile", false));
    BOOST_REQUIRE_MESSAGE(built.exit_code == 0, built.out + built.err);
  }

  ~container_fixture() {
    sh({"podman", "rmi", "-f", tag});
  }

  process_result sh(std::vector<std::string> argv, std::string input = {}) {
    process_spec spec;
    spec.argv = std::move(argv);
    spec.stdin_data = std::move(input);
    spec.timeout = std::chrono::seconds{120};
    return run_sync(runner, std::move(spec));
  }

  /// Runs the test agent with validated mounts and a prompt; returns stdout.
  process_result run_agent(const std::vector<mount_spec>& mounts, const std::string& prompt) {
    run_options opts;
    opts.name = "pincer-run-test-" + make_uuid().substr(0, 8);
    opts.image = tag;
    opts.mounts = mounts;
    opts.network = "none";
    opts.env = {{"TZ", "UTC"}};
    auto argv = build_run_args(runtime_backend::podman, opts, info);
    BOOST_REQUIRE(argv);
    return sh(*argv, json{{"prompt", prompt}, {"sessionId", nullptr}}.dump());
  }

  /// Validates a mount under an allowlist rooted at `root`.
  mount_spec validated(const std::string& host, bool read_only, const std::string& root) {
    mount_allowlist list;
    list.allowed_roots = {root};
    list.read_write_roots = {root};
    list.configured = true;
    mount_request req;
    req.host_path = host;
    req.read_only = read_only;
    auto decision = validate_mount(req, list, mount_context{dir.sub("home"), true, {}});
    BOOST_REQUIRE_MESSAGE(decision.allowed, decision.message);
    return mount_spec{decision.canonical_host_path, decision.container_path, decision.read_only};
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_container_run, container_fixture)

BOOST_AUTO_TEST_CASE(a_validated_read_only_mount_refuses_writes_and_a_read_write_one_lands) {
  auto root = dir.sub("projects");
  fs::create_directories(root + "/ro");
  fs::create_directories(root + "/rw");
  auto ro = validated(root + "/ro", true, root);
  auto rw = validated(root + "/rw", false, root);
  BOOST_TEST(ro.container_path == "/workspace/extra/ro");
  BOOST_TEST(rw.read_only == false);
  auto denied = run_agent({ro}, "write: /workspace/extra/ro/x.txt nope\nonce");
  BOOST_TEST(denied.exit_code == 1);
  BOOST_TEST(denied.out.find("Read-only file system") != std::string::npos, denied.out);
  BOOST_TEST(!fs::exists(root + "/ro/x.txt"));
  auto written = run_agent({rw}, "write: /workspace/extra/rw/x.txt landed\necho: done\nonce");
  BOOST_TEST(written.exit_code == 0, written.out + written.err);
  BOOST_TEST(written.out.find("---PINCER_OUTPUT_START---") != std::string::npos);
  BOOST_TEST(read_file(root + "/rw/x.txt").value_or("") == "landed");
}

BOOST_AUTO_TEST_CASE(the_agent_sees_only_the_environment_it_is_given) {
  setenv("PINCER_HOST_ONLY", "leak", 1);
  auto out = run_agent({}, "env: PINCER_HOST_ONLY\nenv: TZ\nonce");
  unsetenv("PINCER_HOST_ONLY");
  BOOST_TEST(out.exit_code == 0, out.out + out.err);
  BOOST_TEST(out.out.find("leak") == std::string::npos);
  BOOST_TEST(out.out.find("(unset)") != std::string::npos);
  BOOST_TEST(out.out.find("UTC") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
