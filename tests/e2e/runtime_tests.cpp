#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"
#include "tests/e2e/podman_support.hpp"

using namespace pincer::e2e;

namespace {

const std::string runtime_path = api + "/container/runtime";
const std::string build_path = api + "/container/image/build";
const std::string status_path = api + "/container/image/status";

/// The test agent build context, assembled once per test program, with a
/// second image definition (`Broken.Containerfile`) whose build fails.
const std::string& agent_context() {
  static scratch_dir folder;
  static const std::string ctx = [] {
    auto build_dir = std::filesystem::path{PINCER_AGENT_BINARY}.parent_path().string();
    auto dir = folder.sub("context");
    auto r = shell(shell_quote(std::string{PINCER_SOURCE_DIR} + "/scripts/podman.sh")
                   + " prepare-test-agent " + shell_quote(build_dir) + " " + shell_quote(dir));
    BOOST_TEST_REQUIRE(r.exit_code == 0, "prepare-test-agent failed:\n" << r.output);
    std::ofstream broken{dir + "/Broken.Containerfile"};
    broken << "FROM scratch\n"
              "COPY bin/busybox /bin/busybox\n"
              "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
              "RUN [\"/bin/false\"]\n";
    BOOST_TEST_REQUIRE(broken.good());
    return dir;
  }();
  return ctx;
}

/// A tag nobody else uses.
std::string unique_tag() {
  static std::atomic<int> counter{0};
  return "localhost/pincer-agent-e2e:" + std::to_string(::getpid()) + "-"
         + std::to_string(++counter);
}

/// Every event of the streams under `prefix`, oldest first.
json events_under(server_fixture& f, const std::string& prefix) {
  return f.get_ok(api + "/events?after=0&limit=1000&stream=" + prefix).at("items");
}

/// Audit items (newest first) whose action is `action`.
json audit_with_action(server_fixture& f, const std::string& action) {
  json out = json::array();
  for (auto& item : f.audit_items(1000))
    if (item.at("action") == action)
      out.push_back(item);
  return out;
}

size_t count_type(const json& events, const std::string& type, const std::string& tag) {
  size_t n = 0;
  for (auto& e : events)
    if (e.at("type") == type && e.at("data").value("imageTag", "") == tag)
      ++n;
  return n;
}

/// A server on Podman building the test agent image; removes the images it
/// built when it ends.
struct podman_fixture : server_fixture {
  podman_fixture() : server_fixture(deferred_start{}) {
    ensure_containers_conf();
    auto version = shell("podman --version");
    BOOST_TEST_REQUIRE(version.exit_code == 0,
                       "podman is required for these tests:\n" << version.output);
    serve_with("Containerfile");
  }

  ~podman_fixture() {
    for (auto& tag : tags)
      shell("podman rmi -f " + shell_quote(tag));
  }

  /// (Re)starts the server with `file` as the image definition.
  void serve_with(const std::string& file) {
    start({"--runtime", "podman", "--image-context", agent_context(), "--image-file", file,
           "--agent-image", tag, "--build-timeout", "300"});
    client->timeout(std::chrono::seconds{320});
  }

  /// The next tag this fixture builds, recorded for removal.
  std::string new_tag() {
    tags.push_back(unique_tag());
    return tags.back();
  }

  std::vector<std::string> tags{unique_tag()};
  std::string tag = tags.front();
};

/// A server told to use Docker, whose daemon does not run here.
struct docker_fixture : server_fixture {
  docker_fixture() : server_fixture(deferred_start{}) {
    start({"--runtime", "docker", "--agent-image", unique_tag()},
          {{"DOCKER_HOST", "unix://" + root.sub("no-docker.sock")}});
  }
};

void check_build_answer(const http_response& res, long status, bool success,
                        const std::string& tag) {
  BOOST_TEST_CONTEXT("answer " << res.status << " " << res.body.substr(0, 2000)) {
    BOOST_TEST_REQUIRE(res.status == status);
    auto body = res.json_body();
    std::set<std::string> keys;
    for (auto& [key, value] : body.items())
      keys.insert(key);
    BOOST_TEST((keys == std::set<std::string>{"success", "imageTag", "message", "output",
                                              "durationMs"}));
    BOOST_TEST(body.at("success") == success);
    BOOST_TEST(body.at("imageTag") == tag);
    BOOST_TEST(body.at("message").is_string());
    if (success)
      BOOST_TEST(body.at("message") == "Build completed successfully");
    BOOST_TEST(body.at("output").is_string());
    BOOST_TEST(!body.at("output").get<std::string>().empty());
    BOOST_TEST(body.at("output").get<std::string>().size() <= 64u * 1024u);
    BOOST_TEST(body.at("durationMs").is_number_integer());
    BOOST_TEST(body.at("durationMs").get<int64_t>() >= 0);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(e2e_runtime)

BOOST_FIXTURE_TEST_CASE(podman_is_reported_with_its_networking, podman_fixture) {
  auto info = get_ok(runtime_path);
  BOOST_TEST(info.at("available") == true);
  BOOST_TEST(info.at("backend") == "podman");
  BOOST_TEST(info.at("version").is_string());
  BOOST_TEST(!info.at("version").get<std::string>().empty());
  BOOST_TEST(info.at("networking").at("hostGateway") == "host.containers.internal");
  BOOST_TEST(info.at("networking").at("extraRunArgs") == json::array());
  BOOST_TEST(info.at("message").is_string());
  BOOST_TEST(info.size() == 5u);

  auto refreshed = get_ok(runtime_path + "?refresh=true");
  BOOST_TEST(refreshed == info);
  BOOST_TEST(get_ok(runtime_path + "?refresh=false") == info);

  check_error(client->get(runtime_path + "?refresh=maybe"), 400, "validation_failed", "refresh");

  // Detection is recorded once: the refresh found the same runtime.
  auto detected = audit_with_action(*this, "runtime.detected");
  BOOST_TEST(detected.size() == 1u);
  if (!detected.empty()) {
    BOOST_TEST(detected[0].at("outcome") == "ok");
    BOOST_TEST(detected[0].at("actor") == "system");
  }
  auto events = events_under(*this, "runtime/");
  BOOST_TEST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].at("type") == "runtime.detected");
  BOOST_TEST(events[0].at("data").at("backend") == "podman");

  // A restart that finds the same runtime records nothing new.
  stop();
  serve_with("Containerfile");
  BOOST_TEST(get_ok(runtime_path).at("backend") == "podman");
  BOOST_TEST(events_under(*this, "runtime/").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(building_the_image_makes_it_ready, podman_fixture) {
  auto before = get_ok(status_path);
  BOOST_TEST(before.at("exists") == false);
  BOOST_TEST(before.at("imageTag") == tag);
  BOOST_TEST(before.at("message") == "Image not found");
  BOOST_TEST(before.at("imageId").is_null());
  BOOST_TEST(before.at("sizeBytes").is_null());
  BOOST_TEST(before.at("build").at("state") == "idle");
  BOOST_TEST(before.at("build").at("lastBuildAt").is_null());
  auto seq = last_seq();
  BOOST_TEST(get_ok(status_path + "?imageTag=" + tag) == before);
  BOOST_TEST(last_seq() == seq, "reading the status appended events");

  auto res = client->post(build_path, json::object());
  check_build_answer(res, 200, true, tag);

  auto after = get_ok(status_path);
  BOOST_TEST(after.at("exists") == true);
  BOOST_TEST(after.at("imageTag") == tag);
  BOOST_TEST(after.at("message") == "Image is ready");
  BOOST_TEST_REQUIRE(after.at("imageId").is_string());
  BOOST_TEST(after.at("imageId").get<std::string>().rfind("sha256:", 0) == 0u);
  BOOST_TEST(after.at("imageId").get<std::string>().size() == 7u + 64u);
  BOOST_TEST(after.at("createdAt").is_string());
  BOOST_TEST_REQUIRE(after.at("sizeBytes").is_number_integer());
  BOOST_TEST(after.at("sizeBytes").get<int64_t>() > 0);
  BOOST_TEST(after.at("build").at("state") == "idle");
  BOOST_TEST(after.at("build").at("lastBuildAt").is_string());

  // The image is really there.
  auto inspect = shell("podman image inspect --format '{{.Id}}' " + shell_quote(tag));
  BOOST_TEST(inspect.exit_code == 0, inspect.output);
  BOOST_TEST(inspect.output.find(after.at("imageId").get<std::string>().substr(7)) != std::string::npos);

  auto started = audit_with_action(*this, "image.build_started");
  auto finished = audit_with_action(*this, "image.build_finished");
  BOOST_TEST_REQUIRE(started.size() == 1u);
  BOOST_TEST_REQUIRE(finished.size() == 1u);
  BOOST_TEST(started[0].at("resource") == "image/" + tag);
  BOOST_TEST(finished[0].at("resource") == "image/" + tag);
  BOOST_TEST(finished[0].at("outcome") == "ok");
  BOOST_TEST(finished[0].at("requestId") == res.header("X-Request-Id"));
  BOOST_TEST(started[0].at("seq").get<uint64_t>() < finished[0].at("seq").get<uint64_t>());
  auto events = events_under(*this, "image/");
  BOOST_TEST(count_type(events, "image.build_finished", tag) == 1u);
  for (auto& e : events)
    if (e.at("type") == "image.build_finished") {
      BOOST_TEST(e.at("data").at("success") == true);
      BOOST_TEST(e.at("data").at("durationMs").is_number_integer());
      BOOST_TEST(e.at("data").at("outputBytes").get<int64_t>() > 0);
    }
}

BOOST_FIXTURE_TEST_CASE(concurrent_builds_of_one_tag_join_one_build, podman_fixture) {
  auto other = new_tag();
  std::atomic<int> ready{0};
  http_response answers[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      http_client own{server->base_url()};
      own.timeout(std::chrono::seconds{320});
      ++ready;
      while (ready.load() < 2)
        std::this_thread::yield();
      answers[i] = own.post(build_path, json{{"imageTag", other}, {"noCache", true}});
    });
  for (auto& t : threads)
    t.join();
  check_build_answer(answers[0], 200, true, other);
  check_build_answer(answers[1], 200, true, other);
  BOOST_TEST(answers[0].json_body().at("output") == answers[1].json_body().at("output"));

  auto events = events_under(*this, "image/");
  BOOST_TEST(count_type(events, "image.build_started", other) == 1u);
  BOOST_TEST(count_type(events, "image.build_finished", other) == 1u);
  auto status = get_ok(status_path + "?imageTag=" + other);
  BOOST_TEST(status.at("exists") == true);
  BOOST_TEST(status.at("imageTag") == other);
  // The default tag was not built.
  BOOST_TEST(get_ok(status_path).at("exists") == false);
}

BOOST_FIXTURE_TEST_CASE(bad_build_requests_are_refused_without_a_build, podman_fixture) {
  auto seq = last_seq();
  const std::vector<std::string> bad_tags{
    "-x", "UPPER/Case", "a;b", "$(id)", std::string(300, 'a'), "a\nb", "", "a b", "name:",
    "name@sha256:abc"};
  for (auto& bad : bad_tags) {
    BOOST_TEST_CONTEXT("imageTag " << json(bad).dump()) {
      check_error(client->post(build_path, json{{"imageTag", bad}}), 400, "validation_failed",
                  "imageTag");
    }
  }
  check_error(client->post(build_path, json{{"imageTag", 7}}), 400, "validation_failed",
              "imageTag");
  check_error(client->post(build_path, json{{"noCache", "yes"}}), 400, "validation_failed",
              "noCache");
  check_error(client->post(build_path, json{{"noCache", 1}}), 400, "validation_failed",
              "noCache");
  check_error(client->request("POST", build_path, "{"), 400, "invalid_json");
  check_error(client->get(status_path + "?imageTag=-x"), 400, "validation_failed", "imageTag");
  check_error(client->get(status_path + "?imageTag=a%3Bb"), 400, "validation_failed",
              "imageTag");
  BOOST_TEST(last_seq() == seq, "a refused request appended events");
  BOOST_TEST(events_under(*this, "image/").empty());
  BOOST_TEST(get_ok(status_path).at("exists") == false);
}

BOOST_FIXTURE_TEST_CASE(a_failing_build_answers_422_with_its_output, podman_fixture) {
  stop();
  serve_with("Broken.Containerfile");
  auto res = client->post(build_path, json{{"imageTag", tag}});
  check_build_answer(res, 422, false, tag);
  auto body = res.json_body();
  BOOST_TEST(body.at("message").get<std::string>().find("exit code") != std::string::npos);

  auto status = get_ok(status_path);
  BOOST_TEST(status.at("exists") == false);
  BOOST_TEST(status.at("build").at("state") == "failed");
  BOOST_TEST(status.at("build").at("lastBuildAt").is_string());

  // A failed build leaves nothing stuck: the next one runs and fails again.
  check_build_answer(client->post(build_path, json::object()), 422, false, tag);

  auto finished = audit_with_action(*this, "image.build_finished");
  BOOST_TEST_REQUIRE(finished.size() == 2u);
  for (auto& item : finished) {
    BOOST_TEST(item.at("outcome") == "failed");
    BOOST_TEST(item.at("resource") == "image/" + tag);
  }
  BOOST_TEST(audit_with_action(*this, "image.build_started").size() == 2u);
  BOOST_TEST(audit_with_action(*this, "runtime.detected").size() == 1u);
  for (auto& e : events_under(*this, "image/"))
    if (e.at("type") == "image.build_finished") {
      BOOST_TEST(e.at("data").at("success") == false);
      BOOST_TEST(e.at("data").at("exitCode") != 0);
    }

  // The good definition still builds on the same data folder.
  stop();
  serve_with("Containerfile");
  check_build_answer(client->post(build_path, json::object()), 200, true, tag);
  auto after = get_ok(status_path);
  BOOST_TEST(after.at("exists") == true);
  BOOST_TEST(after.at("build").at("state") == "idle");
  auto outcomes = audit_with_action(*this, "image.build_finished");
  BOOST_TEST_REQUIRE(outcomes.size() == 3u);
  BOOST_TEST(outcomes[0].at("outcome") == "ok");
}

BOOST_FIXTURE_TEST_CASE(without_a_runtime_builds_and_status_answer_503, docker_fixture) {
  auto info = get_ok(runtime_path);
  BOOST_TEST(info.at("available") == false);
  BOOST_TEST(info.at("backend").is_null());
  BOOST_TEST(info.at("version").is_null());
  BOOST_TEST(info.at("networking").is_null());
  BOOST_TEST(info.at("message").get<std::string>().find("docker") != std::string::npos);
  BOOST_TEST(get_ok(runtime_path + "?refresh=true").at("available") == false);

  auto seq = last_seq();
  check_error(client->post(build_path, json::object()), 503, "runtime_unavailable");
  check_error(client->post(build_path, json{{"imageTag", "localhost/x:1"}, {"noCache", true}}),
              503, "runtime_unavailable");
  check_error(client->get(status_path), 503, "runtime_unavailable");
  // Validation still comes first.
  check_error(client->post(build_path, json{{"imageTag", "-x"}}), 400, "validation_failed",
              "imageTag");
  BOOST_TEST(last_seq() == seq, "a refused build appended events");
  BOOST_TEST(events_under(*this, "image/").empty());
}

BOOST_AUTO_TEST_SUITE_END()
