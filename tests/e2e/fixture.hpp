#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/http_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/e2e/server_process.hpp"

namespace pincer::e2e {

/// The API prefix.
inline const std::string api = "/api/v1";

/// The namespaces collection.
inline const std::string namespaces = api + "/container/namespaces";

/// A fresh folder, removed at the end of the test.
using scratch_dir = test::temp_dir;

/// A whole file, or "<missing>" when it cannot be read.
inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return "<missing>";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Waits (up to 5 s) for a file the server materialises after answering,
/// then returns its text, or "<missing>".
inline std::string eventual_file_text(const std::filesystem::path& path) {
  for (int i = 0; i < 500 && !std::filesystem::exists(path); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  return file_text(path);
}

/// Checks the error envelope of a non-2xx answer: exact status, exact keys,
/// `error.code`, a `requestId` equal to the `X-Request-Id` header and, when
/// `field` is given, `error.details.field`.
inline void check_error(const http_response& res, long status, const std::string& code,
                        const std::string& field = {}) {
  BOOST_TEST_CONTEXT("answer " << res.status << " " << res.body) {
    BOOST_TEST_REQUIRE(res.complete());
    BOOST_TEST(res.status == status);
    auto body = json::parse(res.body, nullptr, false);
    BOOST_TEST_REQUIRE(body.is_object());
    BOOST_TEST(body.size() == 2u);
    BOOST_TEST_REQUIRE(body.contains("error"));
    BOOST_TEST_REQUIRE(body.contains("requestId"));
    auto& err = body["error"];
    BOOST_TEST_REQUIRE(err.is_object());
    BOOST_TEST(err.size() == 3u);
    BOOST_TEST(err.value("code", "") == code);
    BOOST_TEST(err.contains("message"));
    BOOST_TEST(err["message"].is_string());
    BOOST_TEST(!err.value("message", "").empty());
    BOOST_TEST_REQUIRE(err.contains("details"));
    BOOST_TEST(err["details"].is_object());
    if (!field.empty())
      BOOST_TEST(err["details"].value("field", "") == field);
    BOOST_TEST(body["requestId"].is_string());
    BOOST_TEST(!res.header("X-Request-Id").empty());
    BOOST_TEST(body.value("requestId", "") == res.header("X-Request-Id"));
  }
}

/// A fresh data folder with a running server and a client for it. The data
/// folder is `<scratch>/data`, so anything written beside it is visible.
struct server_fixture {
  server_fixture() : data(root.sub("data")) {
    start();
  }

  /// Tag for fixtures that call `start` themselves, with their own options.
  struct deferred_start {};

  /// Prepares the folders but starts no server.
  explicit server_fixture(deferred_start) : data(root.sub("data")) {}

  /// Starts the server on `data` (again).
  void start(std::vector<std::string> extra_args = {}, const env_changes& env = {}) {
    started_with = {extra_args, env};
    client.reset();
    server = server_process::serve(data, std::move(extra_args), env);
    client = std::make_unique<http_client>(server->base_url());
  }

  /// Stops the server with SIGTERM and checks that it exits with 0.
  void stop() {
    client.reset();
    auto code = server->stop();
    BOOST_TEST_REQUIRE(code == 0, "pincer serve exited with " << code << "; it printed:\n"
                                                            << server->output());
  }

  /// Stops and starts the server on the same data folder, with the same
  /// options and environment.
  void restart() {
    stop();
    auto [args, env] = started_with;
    start(std::move(args), env);
  }

  /// An answer for a failure message; when nothing came back, the
  /// transport error and what the server printed.
  std::string answer(const http_response& res) const {
    if (res.status != 0)
      return std::to_string(res.status) + " " + res.body;
    return "no answer (" + res.transport_error + "); the server printed:\n"
           + (server ? server->output() : std::string{"(no server)"});
  }

  /// Creates a namespace and requires 201.
  json create(const std::string& name, json extra = json::object()) {
    extra["name"] = name;
    auto res = client->post(namespaces, extra);
    BOOST_TEST_REQUIRE(res.status == 201, "POST " << name << ": " << answer(res));
    // The folder follows the 201: wait for it so file checks are stable.
    eventual_file_text(std::filesystem::path{data} / "groups" / name / "CLAUDE.md");
    return res.json_body();
  }

  /// GET that requires 200 and answers the JSON body.
  json get_ok(const std::string& path) {
    auto res = client->get(path);
    BOOST_TEST_REQUIRE(res.status == 200, "GET " << path << ": " << answer(res));
    return res.json_body();
  }

  /// The last event sequence number from `/health`.
  uint64_t last_seq() {
    return get_ok(api + "/health").at("lastEventSeq").get<uint64_t>();
  }

  /// What a failed request must leave unchanged: the namespace list and
  /// the last event sequence number.
  json snapshot() {
    return json{{"list", get_ok(namespaces)}, {"lastEventSeq", last_seq()}};
  }

  /// Every audit-log item, newest first, read in pages of `page` items.
  json audit_items(size_t page = 3) {
    json all = json::array();
    std::string cursor;
    for (int guard = 0; guard < 10000; ++guard) {
      auto path = api + "/container/audit-log?limit=" + std::to_string(page)
                  + (cursor.empty() ? "" : "&cursor=" + cursor);
      auto body = get_ok(path);
      for (auto& item : body.at("items"))
        all.push_back(item);
      if (body.at("nextCursor").is_null())
        return all;
      cursor = body.at("nextCursor").get<std::string>();
    }
    BOOST_FAIL("the audit log does not end");
    return all;
  }

  scratch_dir root;
  std::string data;
  std::unique_ptr<server_process> server;
  std::unique_ptr<http_client> client;
  std::pair<std::vector<std::string>, env_changes> started_with;
};

} // namespace pincer::e2e
