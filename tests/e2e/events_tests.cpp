#include <atomic>
#include <future>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;

namespace {

/// Five events: three namespaces created, one updated, global instructions.
void make_five_events(server_fixture& f) {
  f.create("alpha");
  f.create("beta");
  BOOST_TEST_REQUIRE(
    f.client->put(namespaces + "/alpha", json{{"description", "changed"}}).status == 200);
  BOOST_TEST_REQUIRE(
    f.client->put(namespaces + "/global/instructions", json{{"content", "hi"}}).status == 200);
  f.create("alphabet");
}

/// One parsed Server-Sent Event.
struct sse_event {
  std::string event;
  std::string id;
  std::string data;
};

/// Splits a growing SSE text into complete events; keeps the rest.
class sse_parser {
public:
  std::vector<sse_event> feed(std::string_view chunk) {
    buffer_.append(chunk);
    std::vector<sse_event> out;
    for (auto end = buffer_.find("\n\n"); end != std::string::npos;
         end = buffer_.find("\n\n")) {
      auto block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      sse_event e;
      std::istringstream lines{block};
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("event: ", 0) == 0)
          e.event = line.substr(7);
        else if (line.rfind("id: ", 0) == 0)
          e.id = line.substr(4);
        else if (line.rfind("data: ", 0) == 0)
          e.data = line.substr(6);
      }
      if (!e.event.empty() || !e.data.empty())
        out.push_back(std::move(e));
    }
    return out;
  }

private:
  std::string buffer_;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_events, server_fixture)

BOOST_AUTO_TEST_CASE(events_are_paged_oldest_first_with_a_next_cursor) {
  make_five_events(*this);
  auto first = get_ok(api + "/events?after=0&limit=2");
  BOOST_TEST_REQUIRE(first["items"].size() == 2u);
  BOOST_TEST(first["items"][0]["seq"] == 1);
  BOOST_TEST(first["items"][1]["seq"] == 2);
  BOOST_TEST_REQUIRE(first["nextCursor"].is_string());
  std::vector<uint64_t> seqs;
  std::vector<std::string> types;
  std::string after = "0";
  int pages = 0;
  for (; pages < 10; ++pages) {
    auto page = get_ok(api + "/events?after=" + after + "&limit=2");
    BOOST_TEST(page["items"].size() <= 2u);
    for (auto& e : page["items"]) {
      seqs.push_back(e["seq"].get<uint64_t>());
      types.push_back(e["type"].get<std::string>());
    }
    if (page["nextCursor"].is_null())
      break;
    after = page["nextCursor"].get<std::string>();
  }
  BOOST_TEST(pages == 2);
  BOOST_TEST(seqs == (std::vector<uint64_t>{1, 2, 3, 4, 5}), boost::test_tools::per_element());
  std::vector<std::string> expected{"namespace.created", "namespace.created",
                                    "namespace.updated", "instructions.updated",
                                    "namespace.created"};
  BOOST_TEST(types == expected, boost::test_tools::per_element());
  BOOST_TEST(get_ok(api + "/events?after=5")["items"].empty());
  BOOST_TEST(get_ok(api + "/events?after=5")["nextCursor"].is_null());
  BOOST_TEST(get_ok(api + "/events?after=3")["items"][0]["seq"] == 4);
}

BOOST_AUTO_TEST_CASE(every_event_has_the_full_envelope) {
  auto res = client->post(namespaces, json{{"name", "alpha"}}, {"X-Request-Id: evt-req-1"});
  BOOST_TEST_REQUIRE(res.status == 201);
  auto created = res.json_body();
  auto items = get_ok(api + "/events?after=0")["items"];
  BOOST_TEST_REQUIRE(items.size() == 1u);
  auto& e = items[0];
  std::set<std::string> keys;
  for (auto& [key, value] : e.items())
    keys.insert(key);
  std::set<std::string> expected{"seq",   "stream", "streamVersion", "type", "schemaVersion",
                                 "at",    "actor",  "requestId",     "data"};
  BOOST_TEST(keys == expected, boost::test_tools::per_element());
  BOOST_TEST(e["seq"] == 1);
  BOOST_TEST(e["stream"] == "namespace/alpha");
  BOOST_TEST(e["streamVersion"] == 1);
  BOOST_TEST(e["type"] == "namespace.created");
  BOOST_TEST(e["schemaVersion"].is_number_integer());
  BOOST_TEST(e["schemaVersion"].get<int>() >= 1);
  static const std::regex rfc3339{R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)"};
  BOOST_TEST(std::regex_match(e["at"].get<std::string>(), rfc3339));
  BOOST_TEST(e["actor"] == "anonymous");
  BOOST_TEST(e["requestId"] == "evt-req-1");
  BOOST_TEST(e["data"]["name"] == "alpha");
  BOOST_TEST(e["data"]["id"] == created["id"]);
}

BOOST_AUTO_TEST_CASE(the_stream_filter_keeps_events_whose_stream_starts_with_the_prefix) {
  make_five_events(*this);
  auto alpha = get_ok(api + "/events?after=0&stream=namespace/alpha")["items"];
  // `namespace/alpha` is a prefix of `namespace/alphabet` too.
  BOOST_TEST_REQUIRE(alpha.size() == 3u);
  BOOST_TEST(alpha[0]["seq"] == 1);
  BOOST_TEST(alpha[1]["seq"] == 3);
  BOOST_TEST(alpha[2]["stream"] == "namespace/alphabet");
  auto all_ns = get_ok(api + "/events?after=0&stream=namespace/")["items"];
  BOOST_TEST(all_ns.size() == 4u);
  for (auto& e : all_ns)
    BOOST_TEST(e["stream"].get<std::string>().rfind("namespace/", 0) == 0u);
  auto paged = get_ok(api + "/events?after=0&limit=1&stream=namespace/beta");
  BOOST_TEST_REQUIRE(paged["items"].size() == 1u);
  BOOST_TEST(paged["items"][0]["stream"] == "namespace/beta");
  BOOST_TEST(get_ok(api + "/events?after=0&stream=nothing/")["items"].empty());
}

BOOST_AUTO_TEST_CASE(the_event_stream_sends_past_events_and_then_live_ones) {
  make_five_events(*this);
  std::mutex mtx;
  std::vector<sse_event> seen;
  std::promise<void> past_seen;
  bool past_signalled = false;
  std::atomic<bool> live_seen{false};
  http_response answer;
  auto url = server->base_url();
  std::thread reader{[&] {
    http_client c{url};
    c.timeout(std::chrono::seconds{20});
    sse_parser parser;
    answer = c.stream(api + "/events/stream?after=0", [&](std::string_view chunk) {
      std::lock_guard<std::mutex> guard{mtx};
      for (auto& e : parser.feed(chunk)) {
        seen.push_back(e);
        if (seen.size() == 5 && !past_signalled) {
          past_signalled = true;
          past_seen.set_value();
        }
        if (e.data.find("\"live-one\"") != std::string::npos) {
          live_seen = true;
          return false;
        }
      }
      return true;
    });
  }};
  auto past = past_seen.get_future();
  bool got_past = past.wait_for(std::chrono::seconds{15}) == std::future_status::ready;
  if (got_past)
    create("live-one");
  reader.join();
  BOOST_TEST_REQUIRE(got_past, "the stream did not send the five past events");
  BOOST_TEST(live_seen.load(), "the live event did not arrive");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.header("Content-Type").find("text/event-stream") == 0u);
  BOOST_TEST(!answer.header("X-Request-Id").empty());
  BOOST_TEST_REQUIRE(seen.size() == 6u);
  auto events = get_ok(api + "/events?after=0")["items"];
  BOOST_TEST_REQUIRE(events.size() == 6u);
  for (size_t i = 0; i < seen.size(); ++i) {
    BOOST_TEST_CONTEXT("event " << i) {
      BOOST_TEST(seen[i].event == events[i]["type"].get<std::string>());
      BOOST_TEST(seen[i].id == std::to_string(i + 1));
      BOOST_TEST(json::parse(seen[i].data) == events[i]);
    }
  }
  BOOST_TEST(seen[5].event == "namespace.created");
}

BOOST_AUTO_TEST_CASE(the_event_stream_starts_after_the_given_sequence) {
  make_five_events(*this);
  std::vector<sse_event> seen;
  sse_parser parser;
  client->timeout(std::chrono::seconds{15});
  auto res = client->stream(api + "/events/stream?after=3", [&](std::string_view chunk) {
    for (auto& e : parser.feed(chunk))
      seen.push_back(e);
    return seen.size() < 2;
  });
  BOOST_TEST(res.status == 200, res.transport_error);
  BOOST_TEST_REQUIRE(seen.size() == 2u);
  BOOST_TEST(seen[0].id == "4");
  BOOST_TEST(seen[1].id == "5");
  BOOST_TEST(seen[0].event == "instructions.updated");
  check_error(client->get(api + "/events/stream?after=x"), 400, "validation_failed", "after");
}

BOOST_AUTO_TEST_SUITE_END()
