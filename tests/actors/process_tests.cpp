#include "actors/process.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include <boost/test/unit_test.hpp>

using namespace pincer;
using namespace std::chrono_literals;

namespace {

process_spec shell(std::string script) {
  process_spec spec;
  spec.argv = {"/bin/sh", "-c", std::move(script)};
  spec.timeout = 20s;
  return spec;
}

int64_t ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                               - t0)
    .count();
}

} // namespace

BOOST_AUTO_TEST_SUITE(actors_process)

BOOST_AUTO_TEST_CASE(a_shell_command_reports_stdout_stderr_and_its_exit_code) {
  process_runner runner;
  auto r = run_sync(runner, shell("echo out; echo err >&2; exit 3"));
  BOOST_TEST(!r.spawn_failed);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.exit_code == 3);
  BOOST_TEST(r.out == "out\n");
  BOOST_TEST(r.err == "err\n");
  BOOST_TEST(!r.truncated);
  BOOST_TEST(r.duration_ms >= 0);
}

BOOST_AUTO_TEST_CASE(arguments_reach_the_child_verbatim_without_a_shell) {
  process_runner runner;
  process_spec spec;
  spec.argv = {"printf", "%s|", "a b", "$(id)", "`id`", ";ls", "*"};
  auto r = run_sync(runner, spec);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "a b|$(id)|`id`|;ls|*|");
}

BOOST_AUTO_TEST_CASE(stdin_data_reaches_the_child) {
  process_runner runner;
  process_spec spec;
  spec.argv = {"cat"};
  spec.stdin_data = "hello\nworld\n";
  auto r = run_sync(runner, spec);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "hello\nworld\n");
}

BOOST_AUTO_TEST_CASE(write_stdin_feeds_a_child_until_close_stdin) {
  process_runner runner;
  process_spec spec;
  spec.argv = {"cat"};
  spec.stdin_data = "one\n";
  spec.close_stdin = false;
  std::promise<process_result> done;
  auto id = runner.start(spec, [&](process_result r) { done.set_value(std::move(r)); });
  runner.write_stdin(id, "two\n");
  runner.write_stdin(id, "three\n");
  runner.close_stdin(id);
  auto future = done.get_future();
  BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
  auto r = future.get();
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "one\ntwo\nthree\n");
}

BOOST_AUTO_TEST_CASE(a_child_that_never_reads_stdin_does_not_hurt_the_runner) {
  process_runner runner;
  process_spec spec;
  spec.argv = {"true"};
  spec.stdin_data = std::string(4 << 20, 'x');
  auto r = run_sync(runner, spec);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(!r.spawn_failed);
}

BOOST_AUTO_TEST_CASE(a_timeout_kills_a_sleeping_child_quickly) {
  process_runner runner;
  process_spec spec;
  spec.argv = {"sleep", "30"};
  spec.timeout = 200ms;
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_sync(runner, spec);
  BOOST_TEST(r.timed_out);
  BOOST_TEST(r.exit_code == 128 + SIGKILL);
  BOOST_TEST(ms_since(t0) < 3000);
  BOOST_TEST(r.duration_ms >= 150);
}

BOOST_AUTO_TEST_CASE(a_timeout_kills_the_whole_process_group) {
  process_runner runner;
  auto spec = shell("sleep 30 & sleep 30; wait");
  spec.timeout = 200ms;
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_sync(runner, spec);
  BOOST_TEST(r.timed_out);
  // The background sleep held stdout too; it died with the group, so no drain wait.
  BOOST_TEST(ms_since(t0) < 3000);
}

BOOST_AUTO_TEST_CASE(the_output_cap_keeps_the_tail) {
  process_runner runner;
  auto spec = shell("i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done; echo e >&2");
  spec.output_cap = 100;
  auto r = run_sync(runner, spec);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.truncated);
  BOOST_TEST(r.out.size() == 100u);
  BOOST_TEST(r.out.substr(r.out.size() - 9) == "line1999\n");
  BOOST_TEST(r.err == "e\n");

  auto big = shell("head -c 3000000 /dev/zero | tr '\\0' a; echo END");
  big.output_cap = 1000;
  auto r2 = run_sync(runner, big);
  BOOST_TEST(r2.truncated);
  BOOST_TEST(r2.out.size() == 1000u);
  BOOST_TEST(r2.out.substr(r2.out.size() - 4) == "END\n");
  BOOST_TEST(r2.out.front() == 'a');
}

BOOST_AUTO_TEST_CASE(a_missing_program_reports_spawn_failed) {
  process_runner runner;
  process_spec spec;
  spec.argv = {"pincer-no-such-program-7f3a"};
  auto r = run_sync(runner, spec);
  BOOST_TEST(r.spawn_failed);
  BOOST_TEST(r.exit_code == -1);
  BOOST_TEST(r.err.find("pincer-no-such-program-7f3a") != std::string::npos);
  BOOST_TEST(runner.running() == 0u);

  spec.argv.clear();
  BOOST_TEST(run_sync(runner, spec).spawn_failed);
}

BOOST_AUTO_TEST_CASE(the_child_environment_holds_only_the_allowed_host_variables) {
  ::setenv("PINCER_TEST_SECRET", "hunter2", 1);
  ::setenv("TMPDIR", "/tmp", 1);
  process_runner runner;
  process_spec spec;
  spec.argv = {"env"};
  spec.env = {{"TZ", "Europe/Berlin"}, {"ANTHROPIC_BASE_URL", "http://127.0.0.1:3001"}};
  auto r = run_sync(runner, spec);
  ::unsetenv("PINCER_TEST_SECRET");
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("PINCER_TEST_SECRET") == std::string::npos);
  BOOST_TEST(r.out.find("hunter2") == std::string::npos);
  std::set<std::string> allowed{"PATH", "HOME", "CONTAINERS_CONF", "DOCKER_HOST",
                                "XDG_RUNTIME_DIR", "TMPDIR", "TZ", "ANTHROPIC_BASE_URL"};
  std::set<std::string> seen;
  std::istringstream lines{r.out};
  for (std::string line; std::getline(lines, line);) {
    auto key = line.substr(0, line.find('='));
    BOOST_TEST(allowed.count(key) == 1u, "unexpected variable " << key);
    seen.insert(key);
  }
  BOOST_TEST(seen.count("PATH") == 1u);
  BOOST_TEST(seen.count("TMPDIR") == 1u);
  BOOST_TEST(r.out.find("TZ=Europe/Berlin\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(on_stdout_sees_chunks_before_the_child_exits) {
  process_runner runner;
  auto spec = shell("echo first; sleep 1; echo second");
  std::mutex mtx;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> chunks;
  spec.on_stdout = [&](std::string_view chunk) {
    std::lock_guard<std::mutex> guard{mtx};
    chunks.emplace_back(std::string{chunk}, std::chrono::steady_clock::now());
  };
  auto r = run_sync(runner, spec);
  auto end = std::chrono::steady_clock::now();
  BOOST_TEST(r.out == "first\nsecond\n");
  std::lock_guard<std::mutex> guard{mtx};
  BOOST_REQUIRE(chunks.size() >= 2u);
  BOOST_TEST(chunks.front().first == "first\n");
  auto lead = std::chrono::duration_cast<std::chrono::milliseconds>(end - chunks.front().second);
  BOOST_TEST(lead.count() >= 700);
}

BOOST_AUTO_TEST_CASE(fifty_concurrent_processes_all_complete) {
  process_runner runner;
  constexpr int n = 50;
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<process_result> results(n);
  int finished = 0;
  for (int i = 0; i < n; ++i) {
    process_spec spec;
    spec.argv = {"/bin/sh", "-c", "sleep 0.2; echo $1; exit $2", "sh", std::to_string(i),
                 std::to_string(i % 7)};
    runner.start(spec, [&, i](process_result r) {
      std::lock_guard<std::mutex> guard{mtx};
      results[i] = std::move(r);
      ++finished;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock{mtx};
  BOOST_REQUIRE(cv.wait_for(lock, 30s, [&] { return finished == n; }));
  for (int i = 0; i < n; ++i) {
    BOOST_TEST(results[i].exit_code == i % 7);
    BOOST_TEST(results[i].out == std::to_string(i) + "\n");
  }
  BOOST_TEST(runner.running() == 0u);
}

BOOST_AUTO_TEST_CASE(stop_kills_a_child_that_ignores_sigterm_after_the_grace_period) {
  process_runner runner;
  auto spec = shell("trap '' TERM; echo ready; sleep 30");
  std::promise<void> ready;
  std::atomic<bool> once{false};
  spec.on_stdout = [&](std::string_view) {
    if (!once.exchange(true))
      ready.set_value();
  };
  std::promise<process_result> done;
  auto id = runner.start(spec, [&](process_result r) { done.set_value(std::move(r)); });
  BOOST_REQUIRE(ready.get_future().wait_for(10s) == std::future_status::ready);
  auto t0 = std::chrono::steady_clock::now();
  runner.stop(id, 300ms);
  auto future = done.get_future();
  BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
  auto r = future.get();
  BOOST_TEST(ms_since(t0) >= 250);
  BOOST_TEST(ms_since(t0) < 3000);
  BOOST_TEST(r.exit_code == 128 + SIGKILL);
  BOOST_TEST(!r.timed_out);
}

BOOST_AUTO_TEST_CASE(stop_ends_a_well_behaved_child_with_sigterm) {
  process_runner runner;
  std::promise<process_result> done;
  process_spec spec;
  spec.argv = {"sleep", "30"};
  auto id = runner.start(spec, [&](process_result r) { done.set_value(std::move(r)); });
  runner.stop(id, 5s);
  auto future = done.get_future();
  BOOST_REQUIRE(future.wait_for(3s) == std::future_status::ready);
  BOOST_TEST(future.get().exit_code == 128 + SIGTERM);
}

BOOST_AUTO_TEST_CASE(destroying_the_runner_kills_its_children) {
  std::promise<std::string> pid_text;
  std::atomic<bool> once{false};
  std::optional<process_runner> runner;
  runner.emplace();
  auto spec = shell("echo $$; exec sleep 30");
  spec.on_stdout = [&](std::string_view chunk) {
    if (!once.exchange(true))
      pid_text.set_value(std::string{chunk});
  };
  runner->start(spec, [](process_result) {});
  auto future = pid_text.get_future();
  BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
  auto pid = std::stoi(future.get());
  BOOST_REQUIRE(pid > 0);
  BOOST_TEST(::kill(pid, 0) == 0);
  auto t0 = std::chrono::steady_clock::now();
  runner.reset();
  BOOST_TEST(ms_since(t0) < 3000);
  errno = 0;
  BOOST_TEST(::kill(pid, 0) == -1);
  BOOST_TEST(errno == ESRCH);
}

BOOST_AUTO_TEST_SUITE_END()
