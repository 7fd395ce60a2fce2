#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;

BOOST_FIXTURE_TEST_SUITE(e2e_shutdown, server_fixture)

BOOST_AUTO_TEST_CASE(a_sigterm_with_requests_in_flight_answers_or_drops_each_and_exits_0) {
  constexpr int clients = 4;
  std::atomic<bool> stopping{false};
  std::mutex mtx;
  std::vector<std::string> problems;
  std::vector<std::string> created;
  std::atomic<int> answered{0};
  std::atomic<int> dropped{0};
  auto url = server->base_url();
  std::vector<std::thread> threads;
  for (int w = 0; w < clients; ++w)
    threads.emplace_back([&, w] {
      http_client c{url};
      c.timeout(std::chrono::seconds{10});
      for (int n = 0;; ++n) {
        auto name = "s" + std::to_string(w) + "-" + std::to_string(n);
        auto res = n % 2 == 0 ? c.post(namespaces, json{{"name", name}}) : c.get(namespaces);
        if (!res.complete()) {
          std::lock_guard<std::mutex> guard{mtx};
          ++dropped;
          // 28 is CURLE_OPERATION_TIMEDOUT: a hang.
          if (res.curl_code == 28 || !stopping.load())
            problems.push_back(name + ": " + res.transport_error);
          if (stopping.load())
            return;
          continue;
        }
        ++answered;
        auto body = json::parse(res.body, nullptr, false);
        std::lock_guard<std::mutex> guard{mtx};
        if (res.status == 201) {
          created.push_back(name);
        } else if (res.status != 200 || body.is_discarded()) {
          problems.push_back(name + ": " + std::to_string(res.status) + " " + res.body);
        }
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds{400});
  stopping = true;
  auto started = std::chrono::steady_clock::now();
  auto code = server->stop(std::chrono::seconds{20});
  auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count();
  for (auto& t : threads)
    t.join();
  BOOST_TEST_MESSAGE("answered " << answered.load() << ", dropped " << dropped.load()
                                  << ", stop took " << took_ms << " ms");
  BOOST_TEST(code == 0, server->output());
  BOOST_TEST(took_ms < 10000);
  BOOST_TEST(answered.load() > 0);
  BOOST_TEST(problems.empty(), problems.size() << " bad answers, first: "
                                                << (problems.empty() ? "" : problems[0]));
  // Every acknowledged create is there after a restart.
  start();
  std::set<std::string> present;
  for (auto& ns : get_ok(namespaces))
    present.insert(ns["name"].get<std::string>());
  for (auto& name : created)
    BOOST_TEST(present.count(name) == 1u, name << " was acknowledged but is missing");
}

BOOST_AUTO_TEST_CASE(a_sigterm_closes_open_event_streams_and_exits_0) {
  create("alpha");
  std::atomic<bool> got_event{false};
  http_response answer;
  auto url = server->base_url();
  std::thread reader{[&] {
    http_client c{url};
    c.timeout(std::chrono::seconds{20});
    answer = c.stream(api + "/events/stream?after=0", [&](std::string_view chunk) {
      if (chunk.find("namespace.created") != std::string_view::npos)
        got_event = true;
      return true;
    });
  }};
  for (int i = 0; i < 500 && !got_event.load(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  BOOST_TEST(got_event.load());
  auto started = std::chrono::steady_clock::now();
  auto code = server->stop(std::chrono::seconds{20});
  reader.join();
  BOOST_TEST(code == 0, server->output());
  auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count();
  BOOST_TEST(took_ms < 10000);
  // The stream ended: cleanly or by a dropped connection, not by our timeout.
  BOOST_TEST(answer.curl_code != 28, answer.transport_error);
}

BOOST_AUTO_TEST_SUITE_END()
