#include <regex>
#include <set>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;

namespace {

/// A request body that must be refused with a validation error.
struct bad_body {
  std::string label;
  json body;
  std::string field;
};

/// Every file below `dir`, relative to it, except the event store's own
/// files (RocksDB may add some at any time).
std::set<std::string> files_below(const std::filesystem::path& dir) {
  std::set<std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator{dir}) {
    auto rel = std::filesystem::relative(e.path(), dir).string();
    if (e.is_regular_file() && rel.rfind("data/events/", 0) != 0)
      out.insert(rel);
  }
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_errors, server_fixture)

// -- bodies -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(malformed_json_and_non_object_bodies_are_invalid_json) {
  create("alpha");
  auto before = snapshot();
  for (std::string body : {"{", "{\"name\": }", "not json", "[]", "[{\"name\":\"x\"}]", "\"x\"",
                           "42", "null", "{\"name\":\"x\"} trailing"}) {
    BOOST_TEST_CONTEXT("body " << body) {
      check_error(client->request("POST", namespaces, body), 400, "invalid_json");
      check_error(client->request("PUT", namespaces + "/alpha", body), 400, "invalid_json");
      check_error(client->request("PUT", namespaces + "/alpha/instructions", body), 400,
                  "invalid_json");
    }
  }
  BOOST_TEST(snapshot() == before);
}

BOOST_AUTO_TEST_CASE(a_wrongly_typed_field_is_named_in_the_error_details) {
  create("alpha");
  auto before = snapshot();
  std::vector<bad_body> cases{
    {"name number", {{"name", 5}}, "name"},
    {"name missing", {{"description", "x"}}, "name"},
    {"description number", {{"name", "n1"}, {"description", 3}}, "description"},
    {"isMain string", {{"name", "n1"}, {"isMain", "yes"}}, "isMain"},
    {"requiresTrigger number", {{"name", "n1"}, {"requiresTrigger", 1}}, "requiresTrigger"},
    {"trigger number", {{"name", "n1"}, {"trigger", 7}}, "trigger"},
    {"trigger empty", {{"name", "n1"}, {"trigger", ""}}, "trigger"},
    {"chatJids string", {{"name", "n1"}, {"chatJids", "tg:1"}}, "chatJids"},
    {"chatJids number item", {{"name", "n1"}, {"chatJids", {5}}}, "chatJids.0"},
    {"chatJids bad second item", {{"name", "n1"}, {"chatJids", {"tg:1", "bogus"}}},
     "chatJids.1"},
    {"containerConfig array", {{"name", "n1"}, {"containerConfig", json::array()}},
     "containerConfig"},
    {"timeoutSecs string", {{"name", "n1"}, {"containerConfig", {{"timeoutSecs", "10"}}}},
     "containerConfig.timeoutSecs"},
    {"timeoutSecs negative", {{"name", "n1"}, {"containerConfig", {{"timeoutSecs", -1}}}},
     "containerConfig.timeoutSecs"},
    {"idleTimeoutSecs float",
     {{"name", "n1"}, {"containerConfig", {{"idleTimeoutSecs", 1.5}}}},
     "containerConfig.idleTimeoutSecs"},
    {"mount without hostPath",
     {{"name", "n1"}, {"containerConfig", {{"additionalMounts", {json::object()}}}}},
     "containerConfig.additionalMounts.0.hostPath"},
  };
  for (auto& c : cases)
    BOOST_TEST_CONTEXT(c.label) {
      check_error(client->post(namespaces, c.body), 400, "validation_failed", c.field);
    }
  // The same fields on PUT.
  for (auto& c : cases) {
    if (c.field == "name")
      continue;
    auto body = c.body;
    body.erase("name");
    BOOST_TEST_CONTEXT("PUT " << c.label) {
      check_error(client->put(namespaces + "/alpha", body), 400, "validation_failed", c.field);
    }
  }
  check_error(client->put(namespaces + "/alpha", json{{"name", "renamed"}}), 400,
              "validation_failed", "name");
  check_error(client->put(namespaces + "/alpha/instructions", json{{"content", 5}}), 400,
              "validation_failed", "content");
  check_error(client->put(namespaces + "/alpha/instructions", json::object()), 400,
              "validation_failed", "content");
  check_error(client->post(namespaces + "/merge-instructions", json{{"group", 1}}), 400,
              "validation_failed", "group");
  BOOST_TEST(snapshot() == before);
}

BOOST_AUTO_TEST_CASE(bad_names_are_refused_and_nothing_is_written) {
  auto before = snapshot();
  std::vector<std::string> names{
    "",        "../etc", "a/b", "-x", "_x", std::string(65, 'a'), "global", "GLOBAL",
    "Merge-Instructions", "merge-instructions", "a;b", "$(id)", "`id`", "a\nb", "a b",
    "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "a.b", "a\\b", "..", "a%2Fb"};
  for (auto& name : names)
    BOOST_TEST_CONTEXT("name " << json(name).dump()) {
      check_error(client->post(namespaces, json{{"name", name}}), 400, "validation_failed",
                  "name");
    }
  BOOST_TEST(snapshot() == before);
  BOOST_TEST(!std::filesystem::exists(std::filesystem::path{data} / "groups"));
  BOOST_TEST(files_below(root.path()).count("etc/CLAUDE.md") == 0u);
  // The longest valid name is accepted.
  create(std::string(64, 'a'));
}

BOOST_AUTO_TEST_CASE(a_taken_name_a_second_main_and_a_used_chat_are_conflicts) {
  create("alpha", json{{"isMain", true}, {"chatJids", {"tg:-1001"}}});
  create("beta");
  auto before = snapshot();
  check_error(client->post(namespaces, json{{"name", "alpha"}}), 409, "conflict");
  check_error(client->post(namespaces, json{{"name", "ALPHA"}}), 409, "conflict");
  check_error(client->post(namespaces, json{{"name", "gamma"}, {"isMain", true}}), 409,
              "conflict");
  check_error(client->post(namespaces, json{{"name", "gamma"}, {"chatJids", {"tg:-1001"}}}),
              409, "conflict");
  check_error(client->put(namespaces + "/beta", json{{"isMain", true}}), 409, "conflict");
  check_error(client->put(namespaces + "/beta", json{{"chatJids", {"tg:-1001"}}}), 409,
              "conflict");
  BOOST_TEST(snapshot() == before);
  // A namespace may keep its own chat and main flag.
  auto res = client->put(namespaces + "/alpha",
                         json{{"isMain", true}, {"chatJids", {"tg:-1001", "dc:42"}}});
  BOOST_TEST(res.status == 200, res.body);
}

BOOST_AUTO_TEST_CASE(a_body_over_one_mebibyte_is_payload_too_large) {
  create("alpha");
  auto before = snapshot();
  std::string big = R"({"name":"big","description":")" + std::string(1024 * 1024, 'x') + "\"}";
  check_error(client->request("POST", namespaces, big), 413, "payload_too_large");
  check_error(client->request("PUT", namespaces + "/alpha/instructions", big), 413,
              "payload_too_large");
  BOOST_TEST(snapshot() == before);
}

BOOST_AUTO_TEST_CASE(a_missing_or_other_content_type_is_unsupported_media_type) {
  auto before = snapshot();
  auto body = json{{"name", "alpha"}}.dump();
  check_error(client->request("POST", namespaces, body, {"Content-Type:"}), 415,
              "unsupported_media_type");
  check_error(client->request("POST", namespaces, body, {"Content-Type: text/plain"}), 415,
              "unsupported_media_type");
  check_error(client->request("POST", namespaces, body,
                              {"Content-Type: application/x-www-form-urlencoded"}),
              415, "unsupported_media_type");
  check_error(client->request("PUT", namespaces + "/global/instructions",
                              json{{"content", "x"}}.dump(), {"Content-Type: text/markdown"}),
              415, "unsupported_media_type");
  BOOST_TEST(snapshot() == before);
  auto ok = client->request("POST", namespaces, body,
                            {"Content-Type: application/json; charset=utf-8"});
  BOOST_TEST(ok.status == 201, ok.body);
}

BOOST_AUTO_TEST_CASE(instructions_over_256_kib_are_refused) {
  create("alpha");
  auto before = snapshot();
  std::string content(256 * 1024 + 1, 'x');
  check_error(client->put(namespaces + "/alpha/instructions", json{{"content", content}}), 400,
              "validation_failed", "content");
  check_error(client->put(namespaces + "/global/instructions", json{{"content", content}}), 400,
              "validation_failed", "content");
  BOOST_TEST(snapshot() == before);
  BOOST_TEST(file_text(std::filesystem::path{data} / "groups" / "alpha" / "CLAUDE.md") == "");
  BOOST_TEST(!std::filesystem::exists(std::filesystem::path{data} / "global" / "CLAUDE.md"));
}

// -- paths, methods and queries ----------------------------------------------

BOOST_AUTO_TEST_CASE(an_unknown_path_is_not_found) {
  for (std::string path : {"/api/v1/nope", "/api/v1/container/namespaces/a/b/c", "/nope",
                           "/api/v2/health", "/api/v1/container/namespaces/a/instructions/x"})
    BOOST_TEST_CONTEXT(path) {
      check_error(client->get(path), 404, "not_found");
    }
  check_error(client->get(namespaces + "/missing"), 404, "not_found");
  check_error(client->get(namespaces + "/missing/instructions"), 404, "not_found");
  check_error(client->put(namespaces + "/missing/instructions", json{{"content", "x"}}), 404,
              "not_found");
}

BOOST_AUTO_TEST_CASE(a_wrong_method_is_method_not_allowed_with_an_allow_header) {
  create("alpha");
  auto before = snapshot();
  struct wrong {
    std::string method, path, allowed;
  };
  std::vector<wrong> cases{
    {"DELETE", namespaces, "GET, POST"},
    {"PUT", namespaces, "GET, POST"},
    {"POST", namespaces + "/alpha", "GET, PUT, DELETE"},
    {"PATCH", namespaces + "/alpha", "GET, PUT, DELETE"},
    {"DELETE", namespaces + "/alpha/instructions", "GET, PUT"},
    {"GET", namespaces + "/merge-instructions", "POST"},
    {"POST", api + "/health", "GET"},
    {"DELETE", api + "/container/audit-log", "GET"},
  };
  for (auto& c : cases)
    BOOST_TEST_CONTEXT(c.method << " " << c.path) {
      auto res = c.method == "GET" || c.method == "DELETE"
                   ? client->request(c.method, c.path)
                   : client->request(c.method, c.path, "{}");
      check_error(res, 405, "method_not_allowed");
      auto allow = res.header("Allow");
      BOOST_TEST(!allow.empty());
      for (std::string_view m : {"GET", "POST", "PUT", "DELETE"}) {
        bool listed = (", " + allow + ",").find(" " + std::string{m} + ",") != std::string::npos;
        bool expected = (", " + c.allowed + ",").find(" " + std::string{m} + ",")
                        != std::string::npos;
        BOOST_TEST(listed == expected, m << " in Allow: " << allow);
      }
    }
  BOOST_TEST(snapshot() == before);
}

BOOST_AUTO_TEST_CASE(bad_query_values_are_validation_failures) {
  create("alpha");
  auto before = snapshot();
  for (std::string force : {"maybe", "", "1", "TRUE"})
    BOOST_TEST_CONTEXT("force=" << force) {
      check_error(client->del(namespaces + "/alpha?force=" + force), 400, "validation_failed",
                  "force");
    }
  for (std::string limit : {"0", "1001", "-1", "abc", ""})
    BOOST_TEST_CONTEXT("limit=" << limit) {
      check_error(client->get(api + "/container/audit-log?limit=" + limit), 400,
                  "validation_failed", "limit");
      check_error(client->get(api + "/events?limit=" + limit), 400, "validation_failed",
                  "limit");
    }
  check_error(client->get(api + "/container/audit-log?cursor=zzz"), 400, "validation_failed",
              "cursor");
  check_error(client->get(api + "/container/audit-log?since=yesterday"), 400,
              "validation_failed", "since");
  check_error(client->get(api + "/events?after=-3"), 400, "validation_failed", "after");
  BOOST_TEST(snapshot() == before);
  BOOST_TEST(get_ok(api + "/container/audit-log?limit=1000")["items"].size() == 1u);
  BOOST_TEST(client->del(namespaces + "/alpha?force=false").status == 204);
}

BOOST_AUTO_TEST_CASE(path_traversal_in_the_name_segment_writes_nothing_outside_the_data_folder) {
  create("alpha");
  auto before = snapshot();
  auto files_before = files_below(root.path());
  std::vector<std::string> names{"..%2F..%2Fetc", "..%2f..%2fetc", "%2E%2E%2F%2E%2E%2Fetc",
                                 "..%5C..%5Cetc", "alpha%2F..%2F..%2F..%2Fetc", "..", "%2E%2E",
                                 "%00", "a%ZZ"};
  for (auto& name : names)
    BOOST_TEST_CONTEXT(name) {
      auto res = client->put(namespaces + "/" + name + "/instructions",
                             json{{"content", "pwned"}});
      BOOST_TEST((res.status == 404 || res.status == 400));
      check_error(res, res.status, res.status == 404 ? "not_found" : "validation_failed");
      auto del = client->del(namespaces + "/" + name);
      BOOST_TEST((del.status == 404 || del.status == 400));
    }
  auto raw = client->put(namespaces + "/../../../etc/instructions", json{{"content", "pwned"}});
  BOOST_TEST((raw.status == 404 || raw.status == 400));
  BOOST_TEST(snapshot() == before);
  BOOST_TEST(files_below(root.path()) == files_before);
  BOOST_TEST(file_text(std::filesystem::path{data} / "groups" / "alpha" / "CLAUDE.md") == "");
}

// -- the error envelope and request ids ---------------------------------------

BOOST_AUTO_TEST_CASE(a_valid_client_request_id_is_echoed_and_recorded_in_the_audit_log) {
  auto res = client->post(namespaces, json{{"name", "alpha"}}, {"X-Request-Id: client-req.42:x_y"});
  BOOST_TEST_REQUIRE(res.status == 201);
  BOOST_TEST(res.header("X-Request-Id") == "client-req.42:x_y");
  auto items = get_ok(api + "/container/audit-log")["items"];
  BOOST_TEST_REQUIRE(items.size() == 1u);
  BOOST_TEST(items[0]["requestId"] == "client-req.42:x_y");
  BOOST_TEST(items[0]["action"] == "namespace.created");
  BOOST_TEST(items[0]["resource"] == "namespace/alpha");
  BOOST_TEST(items[0]["actor"] == "anonymous");
  BOOST_TEST(items[0]["outcome"] == "ok");
  auto err = client->post(namespaces, json{{"name", "alpha"}}, {"X-Request-Id: dup-1"});
  check_error(err, 409, "conflict");
  BOOST_TEST(err.json_body()["requestId"] == "dup-1");
  std::string longest(128, 'r');
  BOOST_TEST(client->get(namespaces, {"X-Request-Id: " + longest}).header("X-Request-Id")
             == longest);
}

BOOST_AUTO_TEST_CASE(an_invalid_client_request_id_is_replaced) {
  static const std::regex uuid{
    "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
  for (std::string id : {std::string(129, 'r'), std::string(200, 'a'), std::string{"has spaces"},
                         std::string{"semi;colon"}, std::string{"a/b"}}) {
    BOOST_TEST_CONTEXT("X-Request-Id " << id) {
      auto res = client->post(namespaces, json{{"name", 5}}, {"X-Request-Id: " + id});
      check_error(res, 400, "validation_failed", "name");
      auto answered = res.header("X-Request-Id");
      BOOST_TEST(answered != id);
      BOOST_TEST(std::regex_match(answered, uuid));
    }
  }
  auto res = client->post(namespaces, json{{"name", "alpha"}}, {"X-Request-Id: not valid"});
  BOOST_TEST_REQUIRE(res.status == 201);
  auto items = get_ok(api + "/container/audit-log")["items"];
  BOOST_TEST_REQUIRE(items.size() == 1u);
  BOOST_TEST(items[0]["requestId"] == res.header("X-Request-Id"));
}

BOOST_AUTO_TEST_CASE(every_answer_carries_a_fresh_request_id) {
  auto a = client->get(namespaces);
  auto b = client->get(namespaces);
  auto c = client->get(api + "/nope");
  BOOST_TEST(!a.header("X-Request-Id").empty());
  BOOST_TEST(a.header("X-Request-Id") != b.header("X-Request-Id"));
  check_error(c, 404, "not_found");
  BOOST_TEST(c.header("X-Request-Id") != b.header("X-Request-Id"));
}

BOOST_AUTO_TEST_SUITE_END()
