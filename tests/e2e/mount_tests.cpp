#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;
namespace fs = std::filesystem;

namespace {

const std::string allowlist_path = api + "/container/mount/allowlist";
const std::string validate_path = api + "/container/mount/validate";

const std::vector<std::string> default_patterns{
  ".ssh",    ".gnupg",  ".gpg",        ".aws",       ".azure",        ".gcloud",
  ".kube",   ".docker", "credentials", ".env",       ".netrc",        ".npmrc",
  ".pypirc", "id_rsa",  "id_ed25519",  "private_key", ".secret"};

/// A server whose HOME is a folder of its own, with a tree of folders and
/// links to mount:
///
///     base/home/work/app          (~ expands to base/home)
///     base/projects/app/file.txt  (the allowed root P)
///     base/projects/rw/x          (a read-write root)
///     base/projects/hidden/.ssh/keys, base/projects/innocent -> hidden/.ssh
///     base/projects/escape -> base/outside
///     base/projects/.SSH, base/projects/.aws/sub, base/projects/mine-secret/x
///     base/projects/a:b, base/projects/a,b
///     base/target/sub, base/rootlink -> target
///
/// `base` is the canonical scratch folder; the data folder is base/data.
struct mount_fixture : server_fixture {
  mount_fixture() : server_fixture(deferred_start{}) {
    base = fs::canonical(root.path()).string();
    home = base + "/home";
    projects = base + "/projects";
    for (auto dir : {"/home/work/app", "/projects/app", "/projects/rw/x",
                     "/projects/hidden/.ssh/keys", "/outside", "/projects/.SSH",
                     "/projects/.aws/sub", "/projects/mine-secret/x", "/projects/a:b",
                     "/projects/a,b", "/target/sub"})
      fs::create_directories(base + dir);
    std::ofstream{projects + "/app/file.txt"} << "hello\n";
    fs::create_directory_symlink(projects + "/hidden/.ssh", projects + "/innocent");
    fs::create_directory_symlink(base + "/outside", projects + "/escape");
    fs::create_directory_symlink(base + "/target", base + "/rootlink");
    launch();
  }

  void launch() {
    start({}, {{"HOME", home}});
  }

  void relaunch() {
    stop();
    launch();
  }

  /// The usual allowlist: P and the symlinked root, rw below P/rw.
  json standard_allowlist() {
    return json{{"allowedRoots", {projects, base + "/rootlink", base + "/missing-root"}},
                {"readWriteRoots", {projects + "/rw"}},
                {"blockedPatterns", {"mine-secret"}}};
  }

  json put_ok(const json& body) {
    auto res = client->put(allowlist_path, body);
    BOOST_TEST_REQUIRE(res.status == 200, "PUT " << body.dump() << ": " << res.status << " "
                                                 << res.body);
    return res.json_body();
  }

  /// POST validate, requires 200 and records what the audit log must show.
  json validate(json body) {
    auto res = client->post(validate_path, body);
    BOOST_TEST_REQUIRE(res.status == 200, "validate " << body.dump() << ": " << res.status << " "
                                                      << res.body);
    auto answer = res.json_body();
    expected.push_back({res.header("X-Request-Id"),
                        answer.at("allowed").get<bool>() ? "ok" : "denied"});
    return answer;
  }

  /// Validates and checks a refusal with `reason`.
  json refused(json body, const std::string& reason) {
    auto answer = validate(body);
    BOOST_TEST_CONTEXT("validate " << body.dump() << " -> " << answer.dump()) {
      BOOST_TEST(answer.at("allowed") == false);
      BOOST_TEST(answer.at("reason") == reason);
      BOOST_TEST(answer.at("readOnly") == true);
      BOOST_TEST(answer.at("message").is_string());
      BOOST_TEST(!answer.at("message").get<std::string>().empty());
    }
    return answer;
  }

  /// Validates and checks an allowed mount.
  json accepted(json body, const std::string& canonical, const std::string& container,
                bool read_only = true, const json& reason = nullptr) {
    auto answer = validate(body);
    BOOST_TEST_CONTEXT("validate " << body.dump() << " -> " << answer.dump()) {
      BOOST_TEST(answer.at("allowed") == true);
      BOOST_TEST(answer.at("canonicalHostPath") == canonical);
      BOOST_TEST(answer.at("containerPath") == container);
      BOOST_TEST(answer.at("readOnly") == read_only);
      BOOST_TEST(answer.at("reason") == reason);
      if (reason.is_null())
        BOOST_TEST(answer.at("message") == "Mount validated successfully");
    }
    return answer;
  }

  /// Every validation so far is in the audit log, in order, with its outcome
  /// and request id.
  void check_audit() {
    std::vector<std::pair<std::string, std::string>> seen;
    auto items = audit_items(1000);
    for (auto it = items.rbegin(); it != items.rend(); ++it)
      if ((*it).at("action") == "mount.validated") {
        BOOST_TEST((*it).at("resource") == "mount/validations");
        seen.emplace_back((*it).value("requestId", ""), (*it).at("outcome").get<std::string>());
      }
    BOOST_TEST_REQUIRE(seen.size() == expected.size());
    for (size_t i = 0; i < seen.size(); ++i) {
      BOOST_TEST(seen[i].first == expected[i].first, "validation " << i);
      BOOST_TEST(seen[i].second == expected[i].second, "validation " << i);
    }
  }

  std::string base;
  std::string home;
  std::string projects;
  std::vector<std::pair<std::string, std::string>> expected;
};

void check_keys(const json& body, std::set<std::string> keys) {
  std::set<std::string> got;
  for (auto& [key, value] : body.items())
    got.insert(key);
  BOOST_TEST(got == keys);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_mounts, mount_fixture)

BOOST_AUTO_TEST_CASE(before_any_put_every_mount_is_denied) {
  auto list = get_ok(allowlist_path);
  check_keys(list, {"allowedRoots", "readWriteRoots", "blockedPatterns",
                    "effectiveBlockedPatterns", "nonMainReadOnly", "configured", "updatedAt"});
  BOOST_TEST(list.at("configured") == false);
  BOOST_TEST(list.at("allowedRoots") == json::array());
  BOOST_TEST(list.at("readWriteRoots") == json::array());
  BOOST_TEST(list.at("blockedPatterns") == json::array());
  BOOST_TEST(list.at("nonMainReadOnly") == true);
  BOOST_TEST(list.at("updatedAt").is_null());
  std::set<std::string> effective;
  for (auto& p : list.at("effectiveBlockedPatterns"))
    effective.insert(p.get<std::string>());
  for (auto& p : default_patterns)
    BOOST_TEST(effective.count(p) == 1u, p);

  auto answer = refused(json{{"hostPath", projects + "/app"}}, "no_allowlist");
  check_keys(answer, {"allowed", "canonicalHostPath", "containerPath", "readOnly", "message",
                      "reason"});
  BOOST_TEST(answer.at("containerPath") == "/workspace/extra/app");
  BOOST_TEST(answer.at("canonicalHostPath").is_null());
  refused(json{{"hostPath", "/"}, {"containerPath", "root"}}, "no_allowlist");
  // "/" has no base name to default the container path to.
  refused(json{{"hostPath", "/"}}, "invalid_container_path");
  // The container path is checked first.
  refused(json{{"hostPath", projects + "/app"}, {"containerPath", "/etc"}},
          "invalid_container_path");
  check_audit();
}

BOOST_AUTO_TEST_CASE(a_put_is_what_get_answers_and_survives_a_restart) {
  auto body = standard_allowlist();
  body["allowedRoots"].push_back("~/work");
  body["allowedRoots"].push_back(projects); // a duplicate
  body["nonMainReadOnly"] = false;
  auto put = put_ok(body);
  BOOST_TEST(put.at("configured") == true);
  BOOST_TEST(put.at("allowedRoots")
             == (json{projects, base + "/rootlink", base + "/missing-root", home + "/work"}));
  BOOST_TEST(put.at("readWriteRoots") == json{projects + "/rw"});
  BOOST_TEST(put.at("blockedPatterns") == json{"mine-secret"});
  BOOST_TEST(put.at("nonMainReadOnly") == false);
  BOOST_TEST(put.at("updatedAt").is_string());
  auto effective = put.at("effectiveBlockedPatterns");
  BOOST_TEST(effective.size() == default_patterns.size() + 1);
  BOOST_TEST(effective.back() == "mine-secret");
  BOOST_TEST(get_ok(allowlist_path) == put);

  auto events = get_ok(api + "/events?after=0&stream=mount/allowlist").at("items");
  BOOST_TEST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].at("type") == "mount.allowlist_set");

  accepted(json{{"hostPath", "~/work/app"}}, home + "/work/app", "/workspace/extra/app");

  relaunch();
  BOOST_TEST(get_ok(allowlist_path) == put);
  accepted(json{{"hostPath", home + "/work/app"}, {"containerPath", "w"}}, home + "/work/app",
           "/workspace/extra/w");

  // A second PUT replaces the whole list; the defaults come back.
  auto second = put_ok(json{{"allowedRoots", {"~"}}, {"blockedPatterns", json::array()}});
  BOOST_TEST(second.at("allowedRoots") == json{home});
  BOOST_TEST(second.at("readWriteRoots") == json::array());
  BOOST_TEST(second.at("nonMainReadOnly") == true);
  relaunch();
  BOOST_TEST(get_ok(allowlist_path) == second);
  refused(json{{"hostPath", projects + "/app"}}, "outside_allowed_roots");
  check_audit();
}

BOOST_AUTO_TEST_CASE(container_paths_are_placed_under_workspace_extra) {
  put_ok(standard_allowlist());
  auto app = projects + "/app";
  accepted(json{{"hostPath", app}}, app, "/workspace/extra/app");
  accepted(json{{"hostPath", app}, {"containerPath", "tools/app"}}, app,
           "/workspace/extra/tools/app");
  accepted(json{{"hostPath", app}, {"containerPath", "/workspace/extra/mine"}}, app,
           "/workspace/extra/mine");
  for (std::string bad : {"/etc/app", "/workspace/group", "/workspace/extra", "/workspace/extra/",
                          "/workspace/extrax/a", "../app", "a/../../b", "a/..",
                          "/workspace/extra/../group", "a:b", "a,b", "", " ", "a\tb"}) {
    BOOST_TEST_CONTEXT("containerPath " << json(bad).dump()) {
      auto answer = refused(json{{"hostPath", app}, {"containerPath", bad}},
                            "invalid_container_path");
      BOOST_TEST(answer.at("containerPath").is_null());
    }
  }
  // A host path whose base name is not a valid container name needs an explicit one.
  refused(json{{"hostPath", projects + "/a:b"}}, "invalid_container_path");
  refused(json{{"hostPath", projects + "/a:b"}, {"containerPath", "ab"}}, "invalid_host_path");
  refused(json{{"hostPath", projects + "/a,b"}, {"containerPath", "ab"}}, "invalid_host_path");
  check_audit();
}

BOOST_AUTO_TEST_CASE(host_paths_are_resolved_before_they_are_judged) {
  put_ok(standard_allowlist());
  // The root itself, a trailing slash, a file.
  accepted(json{{"hostPath", projects}}, projects, "/workspace/extra/projects");
  accepted(json{{"hostPath", projects + "/app/"}}, projects + "/app", "/workspace/extra/app");
  accepted(json{{"hostPath", projects + "/./app//"}}, projects + "/app", "/workspace/extra/app");
  // A file is mounted like a folder: the runtimes bind single files too.
  accepted(json{{"hostPath", projects + "/app/file.txt"}}, projects + "/app/file.txt",
           "/workspace/extra/file.txt");
  // A symlinked root matches through its target, by either name.
  accepted(json{{"hostPath", base + "/target/sub"}}, base + "/target/sub",
           "/workspace/extra/sub");
  accepted(json{{"hostPath", base + "/rootlink/sub"}}, base + "/target/sub",
           "/workspace/extra/sub");
  // `..` that climbs out of the root.
  auto climbed = refused(json{{"hostPath", projects + "/app/../../outside"}},
                         "outside_allowed_roots");
  BOOST_TEST(climbed.at("canonicalHostPath") == base + "/outside");
  // A link out of the root.
  auto escaped = refused(json{{"hostPath", projects + "/escape"}}, "outside_allowed_roots");
  BOOST_TEST(escaped.at("canonicalHostPath") == base + "/outside");
  BOOST_TEST(escaped.at("containerPath") == "/workspace/extra/escape");
  // Missing, relative.
  auto missing = refused(json{{"hostPath", projects + "/nope"}}, "host_path_not_found");
  BOOST_TEST(missing.at("canonicalHostPath").is_null());
  refused(json{{"hostPath", projects + "/app/file.txt/x"}}, "host_path_not_found");
  refused(json{{"hostPath", "projects/app"}}, "invalid_host_path");
  refused(json{{"hostPath", "./app"}, {"containerPath", "app"}}, "invalid_host_path");
  check_audit();
}

BOOST_AUTO_TEST_CASE(blocked_patterns_match_the_canonical_path) {
  put_ok(standard_allowlist());
  auto through_link = refused(json{{"hostPath", projects + "/innocent"}}, "blocked_pattern");
  BOOST_TEST(through_link.at("canonicalHostPath") == projects + "/hidden/.ssh");
  BOOST_TEST(through_link.at("details").at("pattern") == ".ssh");
  auto below = refused(json{{"hostPath", projects + "/innocent/keys"}}, "blocked_pattern");
  BOOST_TEST(below.at("details").at("pattern") == ".ssh");
  auto upper = refused(json{{"hostPath", projects + "/.SSH"}}, "blocked_pattern");
  BOOST_TEST(upper.at("details").at("pattern") == ".ssh");
  auto parent = refused(json{{"hostPath", projects + "/.aws/sub"}}, "blocked_pattern");
  BOOST_TEST(parent.at("details").at("pattern") == ".aws");
  auto own = refused(json{{"hostPath", projects + "/mine-secret/x"}}, "blocked_pattern");
  BOOST_TEST(own.at("details").at("pattern") == "mine-secret");
  // Blocking comes before the root check.
  fs::create_directories(base + "/outside/.kube");
  auto outside = refused(json{{"hostPath", base + "/outside/.kube"}}, "blocked_pattern");
  BOOST_TEST(outside.at("details").at("pattern") == ".kube");
  refused(json{{"hostPath", base + "/outside"}}, "outside_allowed_roots");
  // The pattern is a substring of the whole path.
  fs::create_directories(projects + "/my.envelope");
  auto substring = refused(json{{"hostPath", projects + "/my.envelope"}}, "blocked_pattern");
  BOOST_TEST(substring.at("details").at("pattern") == ".env");
  check_audit();
}

BOOST_AUTO_TEST_CASE(the_data_folder_and_the_home_folder_are_protected) {
  put_ok(json{{"allowedRoots", {base, "/"}}, {"blockedPatterns", json::array()}});
  auto data_dir = fs::canonical(data).string();
  auto itself = refused(json{{"hostPath", data}}, "blocked_pattern");
  BOOST_TEST(itself.at("details").at("pattern") == data_dir);
  fs::create_directories(data + "/sub-of-data");
  auto inside = refused(json{{"hostPath", data + "/sub-of-data"}}, "blocked_pattern");
  BOOST_TEST(inside.at("details").at("pattern") == data_dir);
  auto parent = refused(json{{"hostPath", base}}, "blocked_pattern");
  BOOST_TEST(parent.at("details").at("pattern") == data_dir);
  auto slash = refused(json{{"hostPath", "/"}, {"containerPath", "root"}}, "blocked_pattern");
  BOOST_TEST(slash.at("details").at("pattern") == data_dir);
  // A link to the data folder is no way around it.
  fs::create_directory_symlink(data, projects + "/data-link");
  auto linked = refused(json{{"hostPath", projects + "/data-link"}}, "blocked_pattern");
  BOOST_TEST(linked.at("canonicalHostPath") == data_dir);
  // The home folder itself and `~` are refused; a folder inside it is not.
  auto home_itself = refused(json{{"hostPath", "~"}, {"containerPath", "home"}}, "blocked_pattern");
  BOOST_TEST(home_itself.at("details").at("pattern") == "~");
  BOOST_TEST(home_itself.at("canonicalHostPath") == home);
  accepted(json{{"hostPath", "~/work"}}, home + "/work", "/workspace/extra/work");
  accepted(json{{"hostPath", projects + "/app"}}, projects + "/app", "/workspace/extra/app");
  check_audit();
}

BOOST_AUTO_TEST_CASE(read_write_needs_a_read_write_root_and_the_main_group) {
  create("main", json{{"isMain", true}});
  create("reporting");
  put_ok(standard_allowlist());
  auto rw = projects + "/rw/x";
  accepted(json{{"hostPath", rw}, {"readOnly", false}, {"group", "main"}}, rw,
           "/workspace/extra/x", false);
  accepted(json{{"hostPath", rw}, {"readOnly", false}, {"group", "reporting"}}, rw,
           "/workspace/extra/x", true, "readwrite_downgraded");
  accepted(json{{"hostPath", rw}, {"readOnly", false}}, rw, "/workspace/extra/x", true,
           "readwrite_downgraded");
  accepted(json{{"hostPath", projects + "/app"}, {"readOnly", false}, {"group", "main"}},
           projects + "/app", "/workspace/extra/app", true, "readwrite_downgraded");
  accepted(json{{"hostPath", rw}, {"group", "main"}}, rw, "/workspace/extra/x", true);
  accepted(json{{"hostPath", rw}, {"readOnly", true}, {"group", "reporting"}}, rw,
           "/workspace/extra/x", true);

  // With nonMainReadOnly off, a non-main group may mount read-write roots.
  auto body = standard_allowlist();
  body["nonMainReadOnly"] = false;
  put_ok(body);
  accepted(json{{"hostPath", rw}, {"readOnly", false}, {"group", "reporting"}}, rw,
           "/workspace/extra/x", false);
  accepted(json{{"hostPath", projects + "/app"}, {"readOnly", false}, {"group", "reporting"}},
           projects + "/app", "/workspace/extra/app", true, "readwrite_downgraded");

  auto seq = last_seq();
  check_error(client->post(validate_path, json{{"hostPath", rw}, {"group", "nobody"}}), 400,
              "validation_failed", "group");
  check_error(client->post(validate_path, json{{"hostPath", rw}, {"group", 3}}), 400,
              "validation_failed", "group");
  check_error(client->post(validate_path, json{{"hostPath", rw}, {"readOnly", "no"}}), 400,
              "validation_failed", "readOnly");
  check_error(client->post(validate_path, json{{"hostPath", 1}}), 400, "validation_failed",
              "hostPath");
  check_error(client->post(validate_path, json{{"containerPath", "x"}}), 400,
              "validation_failed", "hostPath");
  check_error(client->post(validate_path, json{{"hostPath", rw}, {"containerPath", 5}}), 400,
              "validation_failed", "containerPath");
  BOOST_TEST(last_seq() == seq, "a malformed validation request appended events");
  check_audit();
}

BOOST_AUTO_TEST_CASE(bad_allowlists_are_refused_and_change_nothing) {
  auto first = put_ok(standard_allowlist());
  auto seq = last_seq();
  struct bad_case {
    json body;
    std::string field;
  };
  const std::vector<bad_case> cases{
    {json{{"allowedRoots", {"projects"}}, {"blockedPatterns", json::array()}}, "allowedRoots.0"},
    {json{{"allowedRoots", {projects, "./x"}}, {"blockedPatterns", json::array()}},
     "allowedRoots.1"},
    {json{{"allowedRoots", {""}}, {"blockedPatterns", json::array()}}, "allowedRoots.0"},
    {json{{"allowedRoots", {projects}},
          {"blockedPatterns", json::array()},
          {"readWriteRoots", {base + "/outside"}}},
     "readWriteRoots.0"},
    {json{{"allowedRoots", {projects}},
          {"blockedPatterns", json::array()},
          {"readWriteRoots", {"rw"}}},
     "readWriteRoots.0"},
    {json{{"allowedRoots", {projects}}, {"blockedPatterns", {"ok", "a/b"}}}, "blockedPatterns.1"},
    {json{{"allowedRoots", {projects}}, {"blockedPatterns", {""}}}, "blockedPatterns.0"},
    {json{{"allowedRoots", projects}, {"blockedPatterns", json::array()}}, "allowedRoots"},
    {json{{"allowedRoots", {1}}, {"blockedPatterns", json::array()}}, "allowedRoots.0"},
    {json{{"allowedRoots", {projects}}, {"blockedPatterns", "x"}}, "blockedPatterns"},
    {json{{"allowedRoots", {projects}}, {"blockedPatterns", {true}}}, "blockedPatterns.0"},
    {json{{"allowedRoots", {projects}},
          {"blockedPatterns", json::array()},
          {"readWriteRoots", "x"}},
     "readWriteRoots"},
    {json{{"allowedRoots", {projects}},
          {"blockedPatterns", json::array()},
          {"nonMainReadOnly", "no"}},
     "nonMainReadOnly"},
    {json{{"blockedPatterns", json::array()}}, "allowedRoots"},
    {json{{"allowedRoots", {projects}}}, "blockedPatterns"},
  };
  for (auto& c : cases)
    BOOST_TEST_CONTEXT("PUT " << c.body.dump()) {
      check_error(client->put(allowlist_path, c.body), 400, "validation_failed", c.field);
    }
  check_error(client->put(allowlist_path, json::array()), 400, "invalid_json");
  check_error(client->request("PUT", allowlist_path, "{\"allowedRoots\": ["), 400,
              "invalid_json");
  check_error(client->request("PUT", allowlist_path, "{}", {"Content-Type: text/plain"}), 415,
              "unsupported_media_type");
  BOOST_TEST(get_ok(allowlist_path) == first);
  BOOST_TEST(last_seq() == seq, "a refused PUT appended events");
  accepted(json{{"hostPath", projects + "/app"}}, projects + "/app", "/workspace/extra/app");
  check_audit();
}

BOOST_AUTO_TEST_SUITE_END()
