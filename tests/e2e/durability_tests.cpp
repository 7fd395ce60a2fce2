#include <atomic>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;

namespace {

/// Everything a client can read back: list, each namespace, instructions,
/// the audit log and the raw events.
json observable_state(server_fixture& f) {
  json out;
  out["list"] = f.get_ok(namespaces);
  out["lastEventSeq"] = f.last_seq();
  for (auto& ns : out["list"]) {
    auto name = ns["name"].get<std::string>();
    out["get"][name] = f.get_ok(namespaces + "/" + name);
    out["instructions"][name] = f.get_ok(namespaces + "/" + name + "/instructions");
  }
  out["global"] = f.get_ok(namespaces + "/global/instructions");
  out["audit"] = f.audit_items();
  out["events"] = f.get_ok(api + "/events?after=0&limit=1000");
  return out;
}

/// A few namespaces, updates, instructions and a delete.
void make_some_history(server_fixture& f) {
  f.create("alpha", json{{"isMain", true}, {"chatJids", {"tg:-1001"}}});
  f.create("beta", json{{"description", "second"}});
  f.create("gamma");
  auto& c = *f.client;
  BOOST_TEST_REQUIRE(c.put(namespaces + "/beta", json{{"trigger", "@Bee"}}).status == 200);
  BOOST_TEST_REQUIRE(
    c.put(namespaces + "/alpha/instructions", json{{"content", "# Alpha\n"}}).status == 200);
  BOOST_TEST_REQUIRE(
    c.put(namespaces + "/global/instructions", json{{"content", "Global rules\n"}}).status
    == 200);
  BOOST_TEST_REQUIRE(c.del(namespaces + "/gamma").status == 204);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_durability, server_fixture)

BOOST_AUTO_TEST_CASE(a_restart_answers_exactly_as_before) {
  make_some_history(*this);
  auto before = observable_state(*this);
  BOOST_TEST(before["list"].size() == 2u);
  BOOST_TEST(before["audit"].size() == 7u);
  restart();
  auto after = observable_state(*this);
  BOOST_TEST(after == before, "before: " << before.dump() << "\nafter: " << after.dump());
  // The restarted server keeps working on top of the old state.
  create("delta");
  BOOST_TEST(last_seq() == before["lastEventSeq"].get<uint64_t>() + 1);
  check_error(client->post(namespaces, json{{"name", "epsilon"}, {"isMain", true}}), 409,
              "conflict");
}

BOOST_AUTO_TEST_CASE(a_restart_restores_a_deleted_instructions_file_from_the_log) {
  make_some_history(*this);
  stop();
  auto group_file = std::filesystem::path{data} / "groups" / "alpha" / "CLAUDE.md";
  auto global_file = std::filesystem::path{data} / "global" / "CLAUDE.md";
  std::filesystem::remove(group_file);
  std::filesystem::remove(global_file);
  start();
  // The directory restores the files when it starts, before it answers.
  get_ok(namespaces);
  BOOST_TEST(file_text(group_file) == "# Alpha\n");
  BOOST_TEST(file_text(global_file) == "Global rules\n");
}

BOOST_AUTO_TEST_CASE(instructions_files_are_restored_before_the_server_says_it_listens) {
  make_some_history(*this);
  stop();
  auto group_file = std::filesystem::path{data} / "groups" / "alpha" / "CLAUDE.md";
  std::filesystem::remove(group_file);
  start();
  // Anything may read the folder as soon as the server says it listens.
  BOOST_TEST(file_text(group_file) == "# Alpha\n");
}

BOOST_AUTO_TEST_CASE(every_acknowledged_write_survives_a_kill_during_a_burst) {
  BOOST_TEST_REQUIRE(server->output().find("durability fsync") != std::string::npos);
  constexpr int writers = 4;
  std::vector<std::vector<std::string>> acked(writers);
  std::vector<int> failures(writers, 0);
  std::atomic<bool> go{true};
  auto url = server->base_url();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      http_client c{url};
      c.timeout(std::chrono::seconds{5});
      for (int n = 0; go.load(); ++n) {
        auto name = "w" + std::to_string(w) + "-" + std::to_string(n);
        auto res = c.post(namespaces, json{{"name", name}});
        if (res.status == 201)
          acked[w].push_back(name);
        else if (res.complete())
          ++failures[w];
        else
          break;
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds{1500});
  server->kill9();
  go = false;
  for (auto& t : threads)
    t.join();
  size_t total = 0;
  for (int w = 0; w < writers; ++w) {
    total += acked[w].size();
    BOOST_TEST(failures[w] == 0, "writer " << w << " got non-201 answers");
  }
  BOOST_TEST_MESSAGE("acknowledged writes before the kill: " << total);
  BOOST_TEST_REQUIRE(total > 0u);
  start();
  std::set<std::string> present;
  for (auto& ns : get_ok(namespaces))
    present.insert(ns["name"].get<std::string>());
  size_t missing = 0;
  for (auto& names : acked)
    for (auto& name : names)
      if (present.count(name) == 0 && ++missing <= 5)
        BOOST_ERROR("acknowledged namespace " << name << " is missing after the kill");
  BOOST_TEST(missing == 0u);
  BOOST_TEST(present.size() >= total);
  BOOST_TEST(present.size() <= total + writers, "more namespaces than requests in flight");
  stop();
  auto verify = run_pincer({"events", "verify", "--data-dir", data});
  BOOST_TEST(verify.exit_code == 0, verify.output);
  auto stats = run_pincer({"events", "stats", "--data-dir", data});
  BOOST_TEST_REQUIRE(stats.exit_code == 0, stats.output);
  auto counts = json::parse(stats.output);
  BOOST_TEST(counts["byStreamPrefix"]["namespace"] == present.size());
}

BOOST_AUTO_TEST_CASE(a_kill_right_after_an_acknowledged_write_keeps_it_in_os_mode_too) {
  stop();
  start({"--durability", "os"});
  create("alpha");
  BOOST_TEST_REQUIRE(
    client->put(namespaces + "/alpha/instructions", json{{"content", "kept"}}).status == 200);
  server->kill9();
  start();
  BOOST_TEST(get_ok(namespaces + "/alpha")["name"] == "alpha");
  BOOST_TEST(get_ok(namespaces + "/alpha/instructions")["content"] == "kept");
}

BOOST_AUTO_TEST_SUITE_END()
