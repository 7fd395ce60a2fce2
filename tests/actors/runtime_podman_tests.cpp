#include "actors/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "actors/event_log.hpp"
#include "actors/runtime_actor.hpp"
#include "events/time.hpp"
#include "storage/event_store.hpp"

using namespace pincer;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using argv_t = std::vector<std::string>;

/// A temporary folder, plus a containers.conf (runc, cgroupfs, ulimits) named
/// by CONTAINERS_CONF when the environment does not name one; both are undone
/// at the end.
struct podman_sandbox {
  fs::path base;
  bool own_conf = false;

  podman_sandbox() {
    char tmpl[] = "/tmp/pincer-podman-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl) != nullptr);
    base = tmpl;
    if (std::getenv("CONTAINERS_CONF") != nullptr)
      return;
    process_runner runner;
    process_spec spec;
    spec.argv = {"/bin/sh", "-c", "ulimit -Hn"};
    auto hard = run_sync(runner, spec);
    std::string nofile = hard.out.substr(0, hard.out.find('\n'));
    if (nofile.empty() || nofile == "unlimited")
      nofile = "1048576";
    auto conf = base / "containers.conf";
    std::ofstream{conf} << "[containers]\ndefault_ulimits = [\"nofile=" << nofile << ":"
                        << nofile << "\", \"nproc=4096:4096\"]\n[engine]\nruntime = \"runc\"\n"
                        << "cgroup_manager = \"cgroupfs\"\n";
    ::setenv("CONTAINERS_CONF", conf.c_str(), 1);
    own_conf = true;
  }

  ~podman_sandbox() {
    if (own_conf)
      ::unsetenv("CONTAINERS_CONF");
    std::error_code ignored;
    fs::remove_all(base, ignored);
  }
};

process_result run_checked(process_runner& runner, argv_t argv, std::string input = {}) {
  process_spec spec;
  spec.argv = std::move(argv);
  spec.stdin_data = std::move(input);
  spec.timeout = 120s;
  auto r = run_sync(runner, spec);
  BOOST_TEST_MESSAGE(spec.argv[0] << " " << spec.argv[1] << " -> " << r.exit_code);
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(actors_runtime_podman)

BOOST_AUTO_TEST_CASE(a_podman_container_sees_read_only_and_read_write_mounts) {
  podman_sandbox sandbox;
  const auto& base = sandbox.base;
  process_runner runner;

  auto probe = run_checked(runner, probe_command(runtime_backend::podman));
  auto info = interpret_probe(runtime_backend::podman, probe, false);
  BOOST_REQUIRE_MESSAGE(info.available, "podman is not usable: " << info.message);
  BOOST_TEST(!info.version.empty());

  auto ctx = base / "ctx";
  fs::create_directories(ctx / "bin");
  fs::copy_file("/bin/busybox", ctx / "bin" / "busybox");
  std::ofstream{ctx / "Containerfile"} << "FROM scratch\nCOPY bin/busybox /bin/busybox\n"
                                       << "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
                                       << "ENV PATH=/bin\nCMD [\"/bin/sh\"]\n";
  const std::string tag = "localhost/pincer-test-busybox:1";
  BOOST_REQUIRE(validate_image_tag(tag));
  auto built = run_checked(runner, build_image_args(runtime_backend::podman, tag, ctx.string(),
                                                    (ctx / "Containerfile").string(), false));
  BOOST_REQUIRE_MESSAGE(built.exit_code == 0, "podman build failed: " << built.out << built.err);
  auto inspected = run_checked(runner, image_inspect_args(runtime_backend::podman, tag));
  auto facts = parse_image_inspect(runtime_backend::podman, inspected.out);
  BOOST_REQUIRE_MESSAGE(facts, "podman image inspect: " << inspected.out << inspected.err);
  BOOST_TEST(facts->id.rfind("sha256:", 0) == 0u);
  BOOST_TEST(facts->size_bytes > 0);
  BOOST_TEST(facts->created_at > 0);

  fs::create_directories(base / "ro");
  fs::create_directories(base / "rw");
  std::ofstream{base / "ro" / "input.txt"} << "hello-from-host\n";
  run_options opts;
  opts.name = "pincer-test-" + std::to_string(::getpid()) + "-" + std::to_string(now_ms());
  opts.image = tag;
  opts.mounts = {{(base / "ro").string(), "/in", true}, {(base / "rw").string(), "/out", false}};
  opts.env = {{"TZ", "UTC"}};
  opts.network = "none";
  auto argv = build_run_args(runtime_backend::podman, opts, info);
  BOOST_REQUIRE(argv);
  auto ran = run_checked(runner, *argv,
                         "cat /in/input.txt; echo tz=$TZ; echo written > /out/result.txt;"
                         " touch /in/x || echo ro-refused; ip link | grep -c eth0; exit 7\n");
  BOOST_TEST_MESSAGE("stdout: " << ran.out << "stderr: " << ran.err);
  BOOST_TEST(ran.exit_code == 7);
  BOOST_TEST(ran.out.find("hello-from-host\n") != std::string::npos);
  BOOST_TEST(ran.out.find("tz=UTC\n") != std::string::npos);
  BOOST_TEST(ran.out.find("ro-refused\n") != std::string::npos);
  BOOST_TEST(ran.out.find("\n0\n") != std::string::npos);  // no eth0 with --network=none
  BOOST_TEST(ran.err.find("Read-only file system") != std::string::npos);
  BOOST_TEST(!fs::exists(base / "ro" / "x"));
  std::ifstream result{base / "rw" / "result.txt"};
  std::string line;
  BOOST_TEST(static_cast<bool>(std::getline(result, line)));
  BOOST_TEST(line == "written");

  auto listed = run_checked(runner, list_containers_args(runtime_backend::podman, "pincer-test-"));
  BOOST_TEST(listed.exit_code == 0);
  auto names = parse_container_list(runtime_backend::podman, listed.out, "pincer-test-");
  BOOST_TEST((std::find(names.begin(), names.end(), opts.name) == names.end()));  // --rm
  run_checked(runner, {"podman", "rmi", "-f", tag});
}

BOOST_AUTO_TEST_CASE(a_deferred_detection_waits_for_the_refresh_and_answers_those_waiting) {
  podman_sandbox sandbox;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<event_store> store = make_memory_store();
  auto log = spawn_event_log(sys, store, false);
  auto runner = std::make_shared<process_runner>();
  runtime_settings settings;
  settings.configured = runtime_backend::podman;
  settings.detect_at_spawn = false;
  auto runtime = sys.spawn(runtime_behavior, settings, runner, store, log);
  caf::scoped_actor self{sys};
  self->send(runtime, runtime_atom::value);
  bool answered = false;
  self->receive([&](runtime_info&) { answered = true; }, caf::after(2s) >> [] {});
  BOOST_TEST(!answered); // waits for a detection nobody started
  BOOST_TEST(store->last_seq() == 0u);
  self->send(runtime, caf::get_atom::value, runtime_atom::value, true);
  runtime_info waited;
  reply refreshed;
  for (int i = 0; i < 2; ++i)
    self->receive([&](runtime_info& info) { waited = std::move(info); },
                  [&](reply& r) { refreshed = std::move(r); },
                  caf::after(60s) >> [] { BOOST_FAIL("no answer after the refresh"); });
  BOOST_TEST(waited.available);
  BOOST_TEST(refreshed.body["backend"] == "podman");
  BOOST_TEST(store->last_seq() == 1u); // one runtime.detected
  caf::anon_send_exit(runtime, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
