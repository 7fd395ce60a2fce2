#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "events/time.hpp"
#include "tests/e2e/fixture.hpp"
#include "tests/e2e/podman_support.hpp"

using namespace pincer::e2e;
using namespace std::chrono_literals;

namespace {

const std::string ipc = api + "/container/ipc";
const std::string queue = api + "/container/queue";
const std::string history = api + "/container/run-history";

/// A server on Podman whose groups run the test agent image, with retries
/// shortened to 200 ms, 400 ms, ...
struct queue_fixture : server_fixture {
  queue_fixture() : server_fixture(deferred_start{}) {
    image = ensure_test_agent_image();
    start_server();
  }

  void start_server() {
    start({"--runtime", "podman", "--agent-image", image, "--retry-base-ms", "200",
           "--timezone", "Europe/Berlin"},
          {{"PINCER_HOST_SECRET", "must-not-leak"}});
  }

  ~queue_fixture() {
    // Containers still running from a failed test would outlive it.
    shell("podman ps -a --format '{{.Names}}' | grep '^pincer-qt' | xargs -r podman rm -f -t 0");
  }

  /// POST /container/ipc/follow-up.
  http_response follow_up(const std::string& group, const std::string& text) {
    return client->post(ipc + "/follow-up", json{{"group", group}, {"text", text},
                                                  {"sender", "alice"}});
  }

  /// Every event of a group's stream, oldest first.
  json group_events(const std::string& group) {
    return get_ok(api + "/events?after=0&limit=1000&stream=group/" + group).at("items");
  }

  /// Events of a type in a group's stream.
  json of_type(const std::string& group, const std::string& type) {
    json out = json::array();
    for (auto& e : group_events(group))
      if (e.at("type") == type)
        out.push_back(e);
    return out;
  }

  /// Waits until a group's stream holds `n` events of `type`; returns them.
  json wait_events(const std::string& group, const std::string& type, size_t n,
                   std::chrono::milliseconds limit = 60s) {
    auto until = std::chrono::steady_clock::now() + limit;
    json found;
    do {
      found = of_type(group, type);
      if (found.size() >= n)
        return found;
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < until);
    BOOST_FAIL("group " << group << " has " << found.size() << " " << type << " events, wanted "
                        << n << "; stream: " << group_events(group).dump()
                        << "\nserver output:\n" << server->output());
    return found;
  }

  /// Waits until `pred` holds, polling; fails after `limit`.
  void wait_until(const std::function<bool()>& pred, const std::string& what,
                  std::chrono::milliseconds limit = 30s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > until)
        BOOST_FAIL("timed out waiting for " << what);
      std::this_thread::sleep_for(50ms);
    }
  }

  /// Whether a container of that name exists.
  static bool container_exists(const std::string& name) {
    auto r = shell("podman ps -a --format '{{.Names}}'");
    return r.output.find(name) != std::string::npos;
  }

  std::string image;
};

/// A `once` schedule for a group, due `in` from now.
json once_schedule(const std::string& group, const std::string& prompt,
                   std::chrono::milliseconds in) {
  return json{{"name", "task for " + group},
              {"group", group},
              {"prompt", prompt},
              {"schedule", {{"type", "once"}, {"value", pincer::format_time(pincer::now_ms() + in.count())}}},
              {"containerConfig", {{"timeoutSecs", 60}}}};
}

int64_t at_ms(const json& event) {
  return event.at("data").at("startedAt").get<int64_t>();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_queue, queue_fixture)

BOOST_AUTO_TEST_CASE(a_queued_message_runs_a_container_takes_follow_ups_and_closes) {
  create("qt-alpha", json{{"chatJids", {"tg:100"}}});
  auto first = follow_up("qt-alpha", "echo: hello\nenv: TZ\nenv: PINCER_HOST_SECRET");
  BOOST_TEST_REQUIRE(first.status == 202, first.body);
  BOOST_TEST(first.json_body().at("status") == "queued");
  BOOST_TEST(first.json_body().at("file").is_null());

  auto outputs = wait_events("qt-alpha", "run.output", 1);
  auto& out = outputs[0].at("data");
  BOOST_TEST(out.at("status") == "success");
  BOOST_TEST(out.at("result").get<std::string>().find("hello") != std::string::npos);
  BOOST_TEST(out.at("result").get<std::string>().find("Europe/Berlin") != std::string::npos);
  BOOST_TEST(out.at("result").get<std::string>().find("must-not-leak") == std::string::npos);
  BOOST_TEST(out.at("chatJid") == "tg:100");
  auto started = of_type("qt-alpha", "run.started");
  BOOST_TEST_REQUIRE(started.size() == 1u);
  auto name = started[0].at("data").at("containerName").get<std::string>();
  BOOST_TEST(name.rfind("pincer-qt-alpha-", 0) == 0u);
  BOOST_TEST(started[0].at("data").at("trigger") == "follow-up");

  // The agent now waits idle: a follow-up goes into the same container.
  wait_until([&] { return get_ok(queue + "/groups/qt-alpha").at("state") == "idle_waiting"; },
             "the container to wait idle");
  auto counts = get_ok(queue + "/counts");
  BOOST_TEST(counts.at("active") == 1);
  BOOST_TEST(counts.at("idleWaiting") == 1);
  auto second = follow_up("qt-alpha", "echo: second");
  BOOST_TEST_REQUIRE(second.status == 202, second.body);
  BOOST_TEST(second.json_body().at("status") == "delivered");
  BOOST_TEST(second.json_body().at("file").is_string());
  outputs = wait_events("qt-alpha", "run.output", 2);
  BOOST_TEST(outputs[1].at("data").at("result") == "second");
  BOOST_TEST(outputs[1].at("data").at("runId") == outputs[0].at("data").at("runId"));
  BOOST_TEST(of_type("qt-alpha", "run.started").size() == 1u);

  auto closed = client->post(ipc + "/close", json{{"group", "qt-alpha"}});
  BOOST_TEST_REQUIRE(closed.status == 200, closed.body);
  BOOST_TEST(closed.json_body() == (json{{"closed", true}}));
  auto finished = wait_events("qt-alpha", "run.finished", 1);
  BOOST_TEST(finished[0].at("data").at("status") == "success");
  BOOST_TEST(finished[0].at("data").at("exitCode") == 0);

  auto again = client->post(ipc + "/close", json{{"group", "qt-alpha"}});
  BOOST_TEST(again.json_body() == (json{{"closed", false}, {"message", "No active container"}}));

  auto runs = get_ok(history + "?group=qt-alpha").at("items");
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  BOOST_TEST(runs[0].at("status") == "success");
  BOOST_TEST(runs[0].at("trigger") == "follow-up");
  BOOST_TEST(runs[0].at("containerName") == name);
  BOOST_TEST(runs[0].at("image") == image);
  BOOST_TEST(runs[0].at("outputs").get<int>() >= 2);
  auto entry = get_ok(queue + "/groups/qt-alpha");
  BOOST_TEST(entry.at("state") == "idle");
  BOOST_TEST(entry.at("recentRuns").size() == 1u);
  wait_until([&] { return !container_exists(name); }, "the container to be removed");
}

BOOST_AUTO_TEST_CASE(an_idle_container_is_closed_after_its_idle_timeout) {
  create("qt-idle", json{{"containerConfig", {{"idleTimeoutSecs", 1}}}});
  BOOST_TEST_REQUIRE(follow_up("qt-idle", "echo: hi").status == 202);
  auto finished = wait_events("qt-idle", "run.finished", 1, 30s);
  BOOST_TEST(finished[0].at("data").at("status") == "success");
  auto closes = of_type("qt-idle", "ipc.close_requested");
  BOOST_TEST_REQUIRE(closes.size() == 1u);
  BOOST_TEST(closes[0].at("data").at("reason") == "idle");
}

BOOST_AUTO_TEST_CASE(output_blocks_with_fields_of_unexpected_types_are_recorded_and_the_run_goes_on) {
  create("qt-raw", json{{"containerConfig", {{"idleTimeoutSecs", 1}}}});
  BOOST_TEST_REQUIRE(
    follow_up("qt-raw", R"(raw: {"status":5,"result":7,"newSessionId":[1]})" "\necho: still here")
      .status
    == 202);
  auto outputs = wait_events("qt-raw", "run.output", 2);
  auto& odd = outputs[0].at("data");
  BOOST_TEST(odd.at("status") == "success");
  BOOST_TEST(odd.at("result").is_null());
  BOOST_TEST(outputs[1].at("data").at("result") == "still here");
  auto finished = wait_events("qt-raw", "run.finished", 1, 30s);
  BOOST_TEST(finished[0].at("data").at("status") == "success");
  BOOST_TEST(of_type("qt-raw", "session.updated").empty());
}

BOOST_AUTO_TEST_CASE(a_hanging_agent_is_stopped_at_its_timeout) {
  create("qt-hang", json{{"containerConfig", {{"timeoutSecs", 2}}}});
  BOOST_TEST_REQUIRE(follow_up("qt-hang", "hang").status == 202);
  auto started = wait_events("qt-hang", "run.started", 1);
  auto finished = wait_events("qt-hang", "run.finished", 1, 40s);
  auto& d = finished[0].at("data");
  BOOST_TEST(d.at("status") == "timeout");
  BOOST_TEST(d.at("durationMs").get<int64_t>() >= 2000);
  BOOST_TEST(d.at("durationMs").get<int64_t>() < 30000);
  auto name = started[0].at("data").at("containerName").get<std::string>();
  wait_until([&] { return !container_exists(name); }, "the hung container to be removed");
  // A timeout without output is a failure: the message is retried.
  wait_events("qt-hang", "run.retry_scheduled", 1);
}

BOOST_AUTO_TEST_CASE(a_failing_agent_is_retried_on_the_backoff_schedule_and_then_dropped) {
  create("qt-fail");
  BOOST_TEST_REQUIRE(follow_up("qt-fail", "fail: boom").status == 202);
  auto dropped = wait_events("qt-fail", "run.dropped", 1, 90s);
  auto finished = of_type("qt-fail", "run.finished");
  auto retries = of_type("qt-fail", "run.retry_scheduled");
  auto started = of_type("qt-fail", "run.started");
  BOOST_TEST(finished.size() == 6u);
  BOOST_TEST(started.size() == 6u);
  BOOST_TEST_REQUIRE(retries.size() == 5u);
  for (size_t i = 0; i < retries.size(); ++i) {
    auto& r = retries[i].at("data");
    BOOST_TEST(r.at("retryCount") == i + 1);
    BOOST_TEST(r.at("delayMs") == 200 << i);
    // The next attempt never starts before its retry time.
    BOOST_TEST(at_ms(started[i + 1]) >= r.at("nextRetryAt").get<int64_t>());
  }
  for (auto& f : finished) {
    BOOST_TEST(f.at("data").at("status") == "error");
    BOOST_TEST(f.at("data").at("error") == "boom");
  }
  BOOST_TEST(dropped[0].at("data").at("messageIds").size() == 1u);
  auto entry = get_ok(queue + "/groups/qt-fail");
  BOOST_TEST(entry.at("pendingMessages") == 0);
  BOOST_TEST(entry.at("retryCount") == 0);
  auto runs = get_ok(history + "?group=qt-fail&status=error").at("items");
  BOOST_TEST(runs.size() >= 5u);
}

BOOST_AUTO_TEST_CASE(with_two_slots_five_groups_never_run_more_than_two_and_start_in_order) {
  auto set = client->put(queue + "/max-concurrent", json{{"maxConcurrent", 2}});
  BOOST_TEST_REQUIRE(set.status == 200, set.body);
  BOOST_TEST(get_ok(queue + "/max-concurrent") == (json{{"maxConcurrent", 2}}));
  std::vector<std::string> groups;
  for (int i = 1; i <= 5; ++i) {
    groups.push_back("qt-fair" + std::to_string(i));
    create(groups.back());
  }
  for (auto& g : groups)
    BOOST_TEST_REQUIRE(follow_up(g, "sleep: 1500\necho: done\nonce").status == 202);
  size_t most_active = 0;
  wait_until(
    [&] {
      auto counts = get_ok(queue + "/counts");
      most_active = std::max(most_active, counts.at("active").get<size_t>());
      for (auto& g : groups)
        if (of_type(g, "run.finished").empty())
          return false;
      return true;
    },
    "five runs", 120s);
  BOOST_TEST(most_active <= 2u);
  std::vector<std::pair<int64_t, int64_t>> spans;
  std::vector<std::pair<int64_t, std::string>> starts;
  for (auto& g : groups) {
    auto f = of_type(g, "run.finished").at(0).at("data");
    BOOST_TEST(f.at("status") == "success");
    spans.emplace_back(f.at("startedAt").get<int64_t>(), f.at("finishedAt").get<int64_t>());
    starts.emplace_back(f.at("startedAt").get<int64_t>(), g);
  }
  for (auto& [begin, end] : spans) {
    int overlapping = 0;
    for (auto& [b, e] : spans)
      overlapping += b <= begin && begin < e;
    BOOST_TEST(overlapping <= 2);
  }
  std::sort(starts.begin(), starts.end());
  for (size_t i = 2; i < starts.size(); ++i)
    BOOST_TEST(starts[i].second == groups[i]);

  // The limit survives a restart.
  restart();
  BOOST_TEST(get_ok(queue + "/max-concurrent") == (json{{"maxConcurrent", 2}}));
}

BOOST_AUTO_TEST_CASE(ipc_files_are_authorised_by_their_folder_and_recorded) {
  create("qt-boss", json{{"isMain", true}, {"chatJids", {"tg:1"}}});
  create("qt-team", json{{"chatJids", {"tg:2"}}});
  auto made = client->post(ipc + "/directories", json{{"group", "qt-team"}});
  BOOST_TEST_REQUIRE(made.status == 201, made.body);
  auto dir = made.json_body().at("path").get<std::string>();
  BOOST_TEST(std::filesystem::equivalent(dir, std::filesystem::path{data} / "ipc" / "qt-team"));
  BOOST_TEST(made.json_body().at("directories") == (json{"messages", "tasks", "input"}));
  BOOST_TEST(client->post(ipc + "/directories", json{{"group", "qt-team"}}).status == 200);
  BOOST_TEST(client->post(ipc + "/directories", json{{"group", "qt-boss"}}).status == 201);

  auto drop = [&](const std::string& group, const std::string& folder, const std::string& name,
                  const std::string& text) {
    auto base = std::filesystem::path{data} / "ipc" / group / folder;
    std::ofstream{base / (name + ".tmp")} << text;
    std::filesystem::rename(base / (name + ".tmp"), base / name);
  };
  drop("qt-team", "messages", "1-a.json",
       R"({"type":"message","chatJid":"tg:1","text":"not yours","isMain":true})");
  drop("qt-team", "messages", "2-b.json", R"({"type":"message","chatJid":"tg:2","text":"mine"})");
  drop("qt-team", "messages", "3-c.json", "{broken");
  drop("qt-team", "tasks", "4-d.json",
       R"({"type":"register_group","jid":"tg:9","name":"X","folder":"qt-sneaky","trigger":"@x"})");
  drop("qt-boss", "messages", "5-e.json", R"({"type":"message","chatJid":"tg:2","text":"from main"})");

  auto rejected = wait_events("qt-team", "ipc.rejected", 3, 10s);
  auto sent = wait_events("qt-team", "ipc.message_sent", 1, 10s);
  BOOST_TEST(sent.size() == 1u);
  BOOST_TEST(sent[0].at("data").at("text") == "mine");
  BOOST_TEST(sent[0].at("actor") == "ipc:qt-team");
  std::map<std::string, std::string> reasons;
  for (auto& r : rejected)
    reasons[r.at("data").at("file")] = r.at("data").at("reason");
  BOOST_TEST(reasons["1-a.json"] == "unauthorized");
  BOOST_TEST(reasons["3-c.json"] == "invalid_json");
  BOOST_TEST(reasons["4-d.json"] == "unauthorized");
  auto boss = wait_events("qt-boss", "ipc.message_sent", 1, 10s);
  BOOST_TEST(boss[0].at("data").at("chatJid") == "tg:2");
  BOOST_TEST(client->get(namespaces + "/qt-sneaky").status == 404);

  wait_until([&] {
    return std::filesystem::is_empty(std::filesystem::path{data} / "ipc/qt-team/messages");
  }, "handled files to be removed");
  BOOST_TEST(std::filesystem::exists(std::filesystem::path{data} / "ipc/errors/qt-team-3-c.json"));

  // A real container writes through the same folder.
  BOOST_TEST_REQUIRE(follow_up("qt-team", "send: tg:2 hello from the box\nonce").status == 202);
  sent = wait_events("qt-team", "ipc.message_sent", 2);
  BOOST_TEST(sent[1].at("data").at("text") == "hello from the box");

  // Main may register groups through IPC.
  drop("qt-boss", "tasks", "6-f.json",
       R"({"type":"register_group","jid":"tg:7","name":"Seven","folder":"qt-seven","trigger":"@Andy"})");
  auto handled = wait_events("qt-boss", "ipc.task_handled", 1, 10s);
  BOOST_TEST(handled[0].at("data").at("outcome") == "ok");
  auto seven = get_ok(namespaces + "/qt-seven");
  BOOST_TEST(seven.at("chatJids") == (json{"tg:7"}));
  BOOST_TEST(seven.at("isMain") == false);
}

BOOST_AUTO_TEST_CASE(a_restart_in_the_middle_of_a_run_loses_no_message) {
  create("qt-crash");
  // Long enough to outlast the restart on a busy machine (two test
  // processes with containers at once): the restarted server must still
  // find the container to stop it. The run starts again after the restart
  // and sleeps as long, well inside the 60 s wait below.
  BOOST_TEST_REQUIRE(follow_up("qt-crash", "sleep: 20000\necho: survived\nonce").status == 202);
  auto started = wait_events("qt-crash", "run.started", 1);
  auto old_name = started[0].at("data").at("containerName").get<std::string>();
  server->kill9();
  start_server();
  auto finished = wait_events("qt-crash", "run.finished", 2, 60s);
  BOOST_TEST(finished[0].at("data").at("status") == "error");
  BOOST_TEST(finished[0].at("data").at("error") == "The server stopped during the run");
  BOOST_TEST(finished[1].at("data").at("status") == "success");
  auto outputs = of_type("qt-crash", "run.output");
  BOOST_TEST_REQUIRE(!outputs.empty());
  BOOST_TEST(outputs.back().at("data").at("result") == "survived");
  auto orphans = get_ok(api + "/events?after=0&limit=1000&stream=queue/settings").at("items");
  bool stopped = false;
  for (auto& e : orphans)
    if (e.at("type") == "queue.orphans_stopped")
      for (auto& n : e.at("data").at("containers"))
        stopped = stopped || n == old_name;
  BOOST_TEST(stopped);
}

BOOST_AUTO_TEST_CASE(a_task_preempts_an_idle_container) {
  create("qt-preempt");
  BOOST_TEST_REQUIRE(follow_up("qt-preempt", "echo: first").status == 202);
  wait_events("qt-preempt", "run.output", 1);
  auto made = client->post(api + "/container/schedules",
                           once_schedule("qt-preempt", "echo: task done\nonce", 500ms));
  BOOST_TEST_REQUIRE(made.status == 201, made.body);
  auto finished = wait_events("qt-preempt", "run.finished", 2);
  auto closes = of_type("qt-preempt", "ipc.close_requested");
  BOOST_TEST_REQUIRE(closes.size() == 1u);
  BOOST_TEST(closes[0].at("data").at("reason") == "task");
  BOOST_TEST(finished[0].at("data").at("trigger") == "follow-up");
  BOOST_TEST(finished[0].at("data").at("status") == "success");
  auto& task = finished[1].at("data");
  BOOST_TEST(task.at("trigger") == "schedule");
  BOOST_TEST(task.at("scheduleId") == made.json_body().at("id"));
  BOOST_TEST(task.at("result") == "task done");
}

BOOST_AUTO_TEST_CASE(pending_tasks_run_before_pending_messages) {
  create("qt-order");
  auto first = client->post(api + "/container/schedules",
                            once_schedule("qt-order", "sleep: 3000\necho: t1\nonce", 300ms));
  BOOST_TEST_REQUIRE(first.status == 201, first.body);
  wait_events("qt-order", "run.started", 1);
  // The container runs a task, so the message waits for its own run.
  auto queued = follow_up("qt-order", "echo: m1\nonce");
  BOOST_TEST(queued.json_body().at("status") == "queued");
  auto second = client->post(api + "/container/schedules",
                             once_schedule("qt-order", "echo: t2\nonce", 300ms));
  BOOST_TEST_REQUIRE(second.status == 201, second.body);
  wait_events("qt-order", "task.queued", 2);
  auto finished = wait_events("qt-order", "run.finished", 3);
  std::vector<std::string> results;
  for (auto& f : finished)
    results.push_back(f.at("data").at("result").get<std::string>());
  BOOST_TEST((results == std::vector<std::string>{"t1", "t2", "m1"}));
  // The waiting task closed t1's container with its output, in one append.
  auto closes = of_type("qt-order", "ipc.close_requested");
  auto outputs = of_type("qt-order", "run.output");
  BOOST_TEST_REQUIRE(!closes.empty());
  BOOST_TEST_REQUIRE(!outputs.empty());
  BOOST_TEST(closes[0].at("data").at("reason") == "task");
  BOOST_TEST(closes[0].at("data").at("runId") == finished[0].at("data").at("runId"));
  BOOST_TEST(closes[0].at("seq").get<uint64_t>() == outputs[0].at("seq").get<uint64_t>() + 1);
}

BOOST_AUTO_TEST_CASE(a_namespace_with_a_running_container_is_deleted_only_with_force) {
  create("qt-del");
  BOOST_TEST_REQUIRE(follow_up("qt-del", "echo: hi").status == 202);
  wait_events("qt-del", "run.output", 1);
  check_error(client->del(namespaces + "/qt-del"), 409, "conflict");
  BOOST_TEST(client->get(namespaces + "/qt-del").status == 200);
  auto forced = client->del(namespaces + "/qt-del?force=true");
  BOOST_TEST_REQUIRE(forced.status == 204, forced.body);
  auto finished = wait_events("qt-del", "run.finished", 1);
  BOOST_TEST(finished[0].at("data").at("status") == "success");
  BOOST_TEST(of_type("qt-del", "ipc.close_requested").at(0).at("data").at("reason")
             == "namespace deleted");
}

BOOST_AUTO_TEST_CASE(runs_get_the_credential_proxy_variables_and_never_the_credential) {
  const std::string proxy = api + "/container/credential-proxy";
  auto port = 20000 + ::getpid() % 20000;
  BOOST_TEST_REQUIRE(client->put(proxy + "/port", json{{"port", port}}).status == 200);
  auto mapping = client->post(proxy + "/mappings",
                              json{{"name", "Anthropic API"},
                                   {"upstreamUrl", "https://api.anthropic.com"},
                                   {"credentialType", "api_key"},
                                   {"credential", "sk-ant-real-secret"}});
  BOOST_TEST_REQUIRE(mapping.status == 201, mapping.body);
  auto started = client->post(proxy + "/start", json::object());
  BOOST_TEST_REQUIRE(started.status == 200, started.body);
  create("qt-proxy");
  BOOST_TEST_REQUIRE(
    follow_up("qt-proxy", "env: ANTHROPIC_BASE_URL\nenv: ANTHROPIC_API_KEY\nonce").status == 202);
  auto out = wait_events("qt-proxy", "run.output", 1).at(0).at("data").at("result").get<std::string>();
  auto id = mapping.json_body().at("id").get<std::string>();
  BOOST_TEST(out.find(":" + std::to_string(port) + "/m/" + id) != std::string::npos, out);
  BOOST_TEST(out.find(mapping.json_body().at("placeholder").get<std::string>()) != std::string::npos);
  BOOST_TEST(out.find("sk-ant-real-secret") == std::string::npos);
  client->post(proxy + "/stop", json::object());
}

BOOST_AUTO_TEST_CASE(bad_queue_and_ipc_requests_get_clear_errors_and_change_nothing) {
  create("qt-bad");
  auto before = snapshot();
  check_error(follow_up("qt-nobody", "hi"), 404, "not_found");
  check_error(client->post(ipc + "/follow-up", json{{"group", "qt-bad"}}), 400,
              "validation_failed", "text");
  check_error(client->post(ipc + "/follow-up", json{{"group", "qt-bad"}, {"text", 5}}), 400,
              "validation_failed", "text");
  check_error(follow_up("qt-bad", ""), 400, "validation_failed", "text");
  check_error(follow_up("qt-bad", std::string(70 * 1024, 'x')), 400, "validation_failed", "text");
  check_error(client->post(ipc + "/follow-up", json{{"group", "qt-bad"}, {"text", "x"},
                                                    {"sender", json::array()}}),
              400, "validation_failed", "sender");
  check_error(follow_up("../etc", "hi"), 400, "validation_failed", "group");
  check_error(client->post(ipc + "/close", json{{"group", 7}}), 400, "validation_failed", "group");
  check_error(client->post(ipc + "/close", json{{"group", "qt-nobody"}}), 404, "not_found");
  check_error(client->post(ipc + "/directories", json::object()), 400, "validation_failed",
              "group");
  check_error(client->post(ipc + "/directories", json{{"group", "qt-nobody"}}), 404, "not_found");
  check_error(client->get(queue + "/groups/qt-nobody"), 404, "not_found");
  for (auto bad : {json(0), json(257), json("5"), json(2.5), json(nullptr)})
    check_error(client->put(queue + "/max-concurrent", json{{"maxConcurrent", bad}}), 400,
                "validation_failed", "maxConcurrent");
  check_error(client->get(history + "?status=exploded"), 400, "validation_failed", "status");
  check_error(client->get(history + "?limit=0"), 400, "validation_failed", "limit");
  BOOST_TEST(snapshot() == before);
  BOOST_TEST(get_ok(queue + "/max-concurrent") == (json{{"maxConcurrent", 5}}));
  BOOST_TEST(!std::filesystem::exists(std::filesystem::path{data} / "ipc" / "qt-nobody"));
}

BOOST_AUTO_TEST_SUITE_END()
