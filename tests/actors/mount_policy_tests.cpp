#include "actors/mount_policy.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <boost/test/unit_test.hpp>

#include "actors/mount_paths.hpp"

using namespace pincer;
namespace fs = std::filesystem;

namespace {

/// A real folder tree under /tmp with files, folders and symlinks:
///
///   home/projects/{app, rw/repo, .SSH, my.envoy, my-token-store, a:b, a,b, ..foo}
///   home/projects/{Credentials.json, id_rsa.pub}
///   home/projects/link-out -> outside          home/projects/link-ssh -> home/.ssh
///   home/projects/chain1 -> chain2 -> app      home/projects/chain-out -> link-out
///   home/projects/plain -> a:b                 home/{.ssh, al, alice}
///   outside/   data/groups/main/   rootlink -> home/projects
struct tree {
  std::string base;
  std::string home;
  std::string projects;
  std::string data;
  mount_allowlist list;

  tree() {
    char tmpl[] = "/tmp/pincer-mount-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl) != nullptr);
    base = fs::canonical(tmpl).string();
    home = base + "/home";
    projects = home + "/projects";
    data = base + "/data";
    for (auto dir : {"/app", "/rw/repo", "/.SSH", "/my.envoy", "/my-token-store", "/a:b", "/a,b",
                     "/..foo"})
      fs::create_directories(projects + dir);
    for (auto dir : {"/.ssh", "/al", "/alice"})
      fs::create_directories(home + dir);
    fs::create_directories(base + "/outside");
    fs::create_directories(data + "/groups/main");
    for (auto file : {"/Credentials.json", "/id_rsa.pub", "/app/main.cpp"})
      std::ofstream{projects + file} << "x\n";
    fs::create_directory_symlink(base + "/outside", projects + "/link-out");
    fs::create_directory_symlink(home + "/.ssh", projects + "/link-ssh");
    fs::create_directory_symlink(projects + "/app", projects + "/chain2");
    fs::create_directory_symlink("chain2", projects + "/chain1");
    fs::create_directory_symlink("link-out", projects + "/chain-out");
    fs::create_directory_symlink("a:b", projects + "/plain");
    fs::create_directory_symlink(projects, base + "/rootlink");
    list.allowed_roots = {base + "/missing-root", projects};
    list.read_write_roots = {projects + "/rw"};
    list.configured = true;
  }

  ~tree() {
    std::error_code ignored;
    fs::remove_all(base, ignored);
  }

  mount_context context(bool is_main = false) const {
    return {home, is_main, {data, base + "/config"}};
  }

  mount_decision check(const std::string& host, bool is_main = false, bool read_only = true,
                       std::optional<std::string> container = std::nullopt) const {
    mount_request req;
    req.host_path = host;
    req.container_path = std::move(container);
    req.read_only = read_only;
    return validate_mount(req, list, context(is_main));
  }
};

std::string reason_of(const mount_decision& d) {
  return d.reason.value_or("<none>");
}

std::string allowlist_field(const json& body, const std::string& home = "/home/u") {
  auto r = validate_allowlist(body, home);
  BOOST_REQUIRE(!r);
  BOOST_TEST((r.err().code == ec::validation_failed));
  return r.err().field;
}

std::string request_field(const json& body) {
  auto r = parse_mount_request(body);
  BOOST_REQUIRE(!r);
  BOOST_TEST((r.err().code == ec::validation_failed));
  return r.err().field;
}

} // namespace

BOOST_AUTO_TEST_SUITE(actors_mount_policy)

// -- allowed mounts ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_folder_inside_an_allowed_root_is_mounted_read_only_by_default) {
  tree t;
  auto d = t.check(t.projects + "/app/");
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.canonical_host_path == t.projects + "/app");
  BOOST_TEST(d.container_path == "/workspace/extra/app");
  BOOST_TEST(d.read_only);
  BOOST_TEST(!d.reason);
  BOOST_TEST(d.message == "Mount validated successfully");
}

BOOST_AUTO_TEST_CASE(a_symlink_chain_is_followed_to_its_final_target) {
  tree t;
  auto inside = t.check(t.projects + "/chain1");
  BOOST_TEST(inside.allowed);
  BOOST_TEST(inside.canonical_host_path == t.projects + "/app");
  BOOST_TEST(inside.container_path == "/workspace/extra/chain1");
  auto out = t.check(t.projects + "/chain-out");
  BOOST_TEST(!out.allowed);
  BOOST_TEST(reason_of(out) == "outside_allowed_roots");
  BOOST_TEST(out.canonical_host_path == t.base + "/outside");
}

BOOST_AUTO_TEST_CASE(a_root_given_through_a_symlink_is_canonicalised) {
  tree t;
  t.list.allowed_roots = {t.base + "/rootlink"};
  BOOST_TEST(t.check(t.projects + "/app").allowed);
  auto via_link = t.check(t.base + "/rootlink/app");
  BOOST_TEST(via_link.allowed);
  BOOST_TEST(via_link.canonical_host_path == t.projects + "/app");
}

BOOST_AUTO_TEST_CASE(a_root_that_does_not_exist_is_skipped) {
  tree t;
  t.list.allowed_roots = {t.base + "/missing-root"};
  BOOST_TEST(reason_of(t.check(t.projects + "/app")) == "outside_allowed_roots");
  t.list.allowed_roots.push_back(t.projects);
  BOOST_TEST(t.check(t.projects + "/app").allowed);
}

BOOST_AUTO_TEST_CASE(tilde_is_expanded_with_the_server_users_home) {
  tree t;
  auto d = t.check("~/projects/app");
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.canonical_host_path == t.projects + "/app");
  t.list.allowed_roots = {"~/projects"};
  BOOST_TEST(t.check("~/projects/app").allowed);
  auto list = validate_allowlist(json{{"allowedRoots", {"~", "~/x/../y/"}}, {"blockedPatterns",
                                                                             json::array()}},
                                 "/home/u");
  BOOST_REQUIRE(list);
  BOOST_TEST(list->allowed_roots == (std::vector<std::string>{"/home/u", "/home/u/y"}));
}

// -- escapes -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_symlink_inside_a_root_pointing_outside_it_is_refused) {
  tree t;
  auto d = t.check(t.projects + "/link-out");
  BOOST_TEST(!d.allowed);
  BOOST_TEST(reason_of(d) == "outside_allowed_roots");
  BOOST_TEST(d.canonical_host_path == t.base + "/outside");
  BOOST_TEST(d.read_only);
}

BOOST_AUTO_TEST_CASE(a_symlink_to_an_ssh_folder_is_blocked_by_the_ssh_pattern) {
  tree t;
  auto d = t.check(t.projects + "/link-ssh");
  BOOST_TEST(!d.allowed);
  BOOST_TEST(reason_of(d) == "blocked_pattern");
  BOOST_TEST(d.pattern.value_or("") == ".ssh");
  BOOST_TEST(d.canonical_host_path == t.home + "/.ssh");
}

BOOST_AUTO_TEST_CASE(dot_dot_in_the_host_path_cannot_escape_the_root) {
  tree t;
  auto d = t.check(t.projects + "/app/../../../outside");
  BOOST_TEST(reason_of(d) == "outside_allowed_roots");
  BOOST_TEST(d.canonical_host_path == t.base + "/outside");
}

BOOST_AUTO_TEST_CASE(blocked_patterns_match_case_insensitively) {
  tree t;
  auto upper = t.check(t.projects + "/.SSH");
  BOOST_TEST(reason_of(upper) == "blocked_pattern");
  BOOST_TEST(upper.pattern.value_or("") == ".ssh");
  auto creds = t.check(t.projects + "/Credentials.json");
  BOOST_TEST(reason_of(creds) == "blocked_pattern");
  BOOST_TEST(creds.pattern.value_or("") == "credentials");
  auto key = t.check(t.projects + "/id_rsa.pub");
  BOOST_TEST(reason_of(key) == "blocked_pattern");
  BOOST_TEST(key.pattern.value_or("") == "id_rsa");
}

// A pattern matches anywhere in the canonical path, as api.md §3 says, so a
// name that merely contains one is blocked too: false positives are the price
// of never missing `x.env.local` or `backup-credentials`.
BOOST_AUTO_TEST_CASE(a_name_that_merely_contains_a_pattern_is_blocked_as_a_substring) {
  tree t;
  auto envoy = t.check(t.projects + "/my.envoy");
  BOOST_TEST(reason_of(envoy) == "blocked_pattern");
  BOOST_TEST(envoy.pattern.value_or("") == ".env");
  BOOST_TEST(t.check(t.projects + "/my-token-store").allowed);
  t.list.blocked_patterns = {"TOKEN"};
  auto token = t.check(t.projects + "/my-token-store");
  BOOST_TEST(reason_of(token) == "blocked_pattern");
  BOOST_TEST(token.pattern.value_or("") == "TOKEN");
}

BOOST_AUTO_TEST_CASE(colons_and_commas_in_the_canonical_path_are_refused) {
  tree t;
  BOOST_TEST(reason_of(t.check(t.projects + "/a:b", false, true, "x")) == "invalid_host_path");
  BOOST_TEST(reason_of(t.check(t.projects + "/a,b", false, true, "x")) == "invalid_host_path");
  auto via_link = t.check(t.projects + "/plain");
  BOOST_TEST(reason_of(via_link) == "invalid_host_path");
  BOOST_TEST(via_link.canonical_host_path == t.projects + "/a:b");
}

BOOST_AUTO_TEST_CASE(containment_is_by_whole_path_components) {
  tree t;
  t.list.allowed_roots = {t.home + "/al"};
  BOOST_TEST(reason_of(t.check(t.home + "/alice")) == "outside_allowed_roots");
  BOOST_TEST(t.check(t.home + "/al").allowed);
  t.list.allowed_roots = {t.projects};
  BOOST_TEST(t.check(t.projects + "/..foo", false, true, "dotdotfoo").allowed);
  BOOST_TEST(path_within("/a/b", "/a"));
  BOOST_TEST(path_within("/a", "/"));
  BOOST_TEST(!path_within("/ab", "/a"));
  BOOST_TEST(!path_within("/a", "/a/b"));
}

BOOST_AUTO_TEST_CASE(the_data_folder_its_contents_and_its_parents_are_refused) {
  tree t;
  t.list.allowed_roots = {"/"};
  for (const auto& path : {t.data, t.data + "/groups/main", t.base, std::string{"/"}}) {
    auto d = t.check(path, true, true, "x");
    BOOST_TEST(reason_of(d) == "blocked_pattern", path);
    BOOST_TEST(d.pattern.value_or("") == t.data, path);
  }
}

BOOST_AUTO_TEST_CASE(a_protected_folder_that_does_not_exist_yet_still_guards_its_parents) {
  tree t;
  mount_request req;
  req.host_path = t.projects + "/rw";
  auto ctx = t.context();
  ctx.protected_paths = {t.projects + "/rw/config"};
  auto d = validate_mount(req, t.list, ctx);
  BOOST_TEST(reason_of(d) == "blocked_pattern");
  BOOST_TEST(d.pattern.value_or("") == t.projects + "/rw/config");
  req.host_path = t.projects + "/app";
  BOOST_TEST(validate_mount(req, t.list, ctx).allowed);
}

BOOST_AUTO_TEST_CASE(the_home_folder_and_its_parents_are_refused) {
  tree t;
  t.list.allowed_roots = {t.base};
  for (const auto& path : {t.home, std::string{"~"}}) {
    auto d = t.check(path, true, true, "x");
    BOOST_TEST(reason_of(d) == "blocked_pattern", path);
    BOOST_TEST(d.pattern.value_or("") == "~", path);
  }
  BOOST_TEST(t.check(t.home + "/al").allowed);
}

// -- container paths -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(relative_container_paths_go_under_workspace_extra) {
  tree t;
  auto app = t.projects + "/app";
  BOOST_TEST(t.check(app, false, true, "a/b").container_path == "/workspace/extra/a/b");
  BOOST_TEST(t.check(app, false, true, "./x//y/").container_path == "/workspace/extra/x/y");
  BOOST_TEST(t.check(app, false, true, "/workspace/extra/code").container_path
             == "/workspace/extra/code");
  BOOST_TEST(t.check(app, false, true, "..name").container_path == "/workspace/extra/..name");
}

BOOST_AUTO_TEST_CASE(bad_container_paths_are_refused_before_anything_else) {
  tree t;
  t.list = mount_allowlist{};
  std::vector<std::string> bad_paths{
    "", "   ", "/etc/x", "/workspace/extra", "/workspace/extra/", "/workspace/extrafoo",
    "/workspace/extra/../x", "../x", "a/../b", "..", "a:rw", "a,b", "a\nb", "a\tb",
    std::string("a\0b", 3), "a\x7f"};
  for (const auto& bad : bad_paths) {
    auto d = t.check(t.projects + "/app", false, true, bad);
    BOOST_TEST(reason_of(d) == "invalid_container_path", bad);
    BOOST_TEST(!d.allowed);
    BOOST_TEST(d.canonical_host_path.empty());
  }
  BOOST_TEST(reason_of(t.check("/")) == "invalid_container_path");
}

// -- allowlist and host path checks --------------------------------------------

BOOST_AUTO_TEST_CASE(without_an_allowlist_every_mount_is_refused) {
  tree t;
  t.list = mount_allowlist{};
  auto d = t.check(t.projects + "/app");
  BOOST_TEST(!d.allowed);
  BOOST_TEST(reason_of(d) == "no_allowlist");
  BOOST_TEST(d.container_path == "/workspace/extra/app");
}

BOOST_AUTO_TEST_CASE(a_missing_or_relative_host_path_is_refused) {
  tree t;
  BOOST_TEST(reason_of(t.check(t.projects + "/nope")) == "host_path_not_found");
  BOOST_TEST(reason_of(t.check(t.projects + "/app/main.cpp/x")) == "host_path_not_found");
  BOOST_TEST(reason_of(t.check("projects/app")) == "invalid_host_path");
  BOOST_TEST(reason_of(t.check(t.projects + "/app\n", false, true, "x")) == "invalid_host_path");
}

// -- read-write rules ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_main_group_gets_read_write_inside_a_read_write_root) {
  tree t;
  auto d = t.check(t.projects + "/rw/repo", true, false);
  BOOST_TEST(d.allowed);
  BOOST_TEST(!d.read_only);
  BOOST_TEST(!d.reason);
  BOOST_TEST(t.check(t.projects + "/rw/repo", true, true).read_only);
}

BOOST_AUTO_TEST_CASE(non_main_groups_are_downgraded_to_read_only) {
  tree t;
  auto d = t.check(t.projects + "/rw/repo", false, false);
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.read_only);
  BOOST_TEST(reason_of(d) == "readwrite_downgraded");
  t.list.non_main_read_only = false;
  auto rw = t.check(t.projects + "/rw/repo", false, false);
  BOOST_TEST(!rw.read_only);
  BOOST_TEST(!rw.reason);
}

BOOST_AUTO_TEST_CASE(read_write_outside_the_read_write_roots_is_downgraded) {
  tree t;
  auto d = t.check(t.projects + "/app", true, false);
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.read_only);
  BOOST_TEST(reason_of(d) == "readwrite_downgraded");
}

// -- allowlist validation ------------------------------------------------------

BOOST_AUTO_TEST_CASE(allowlist_validation_names_the_offending_field) {
  auto empty = json::array();
  BOOST_TEST(allowlist_field(json::array()) == "");
  BOOST_TEST(allowlist_field(json{{"blockedPatterns", empty}}) == "allowedRoots");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", empty}}) == "blockedPatterns");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", "/a"}, {"blockedPatterns", empty}})
             == "allowedRoots");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {"/a", 5}}, {"blockedPatterns", empty}})
             == "allowedRoots.1");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {"/a", "rel/x"}}, {"blockedPatterns", empty}})
             == "allowedRoots.1");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {""}}, {"blockedPatterns", empty}})
             == "allowedRoots.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {"~alice/x"}}, {"blockedPatterns", empty}})
             == "allowedRoots.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {"~/x"}}, {"blockedPatterns", empty}}, "")
             == "allowedRoots.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {std::string("/a\0b", 4)}},
                                  {"blockedPatterns", empty}})
             == "allowedRoots.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {"/a\x1b"}}, {"blockedPatterns", empty}})
             == "allowedRoots.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", empty}, {"blockedPatterns", {"ok", ""}}})
             == "blockedPatterns.1");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", empty}, {"blockedPatterns", {" "}}})
             == "blockedPatterns.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", empty}, {"blockedPatterns", {"a/b"}}})
             == "blockedPatterns.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", empty}, {"blockedPatterns", {true}}})
             == "blockedPatterns.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {"/p"}},
                                  {"blockedPatterns", empty},
                                  {"readWriteRoots", {"/p/x", "/pq"}}})
             == "readWriteRoots.1");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", {"/p"}},
                                  {"blockedPatterns", empty},
                                  {"readWriteRoots", {"/p/../q"}}})
             == "readWriteRoots.0");
  BOOST_TEST(allowlist_field(json{{"allowedRoots", empty},
                                  {"blockedPatterns", empty},
                                  {"nonMainReadOnly", "yes"}})
             == "nonMainReadOnly");
  json many = json::array();
  for (int i = 0; i < 257; ++i)
    many.push_back("/r" + std::to_string(i));
  BOOST_TEST(allowlist_field(json{{"allowedRoots", many}, {"blockedPatterns", empty}})
             == "allowedRoots");
  many.erase(many.begin());
  BOOST_TEST(bool(validate_allowlist(json{{"allowedRoots", many}, {"blockedPatterns", empty}},
                                     "/home/u")));
}

BOOST_AUTO_TEST_CASE(allowlist_validation_normalises_and_fills_defaults) {
  auto r = validate_allowlist(json{{"allowedRoots", {"/p//a/./", "~/w", "/p/a"}},
                                   {"blockedPatterns", {"token", "Secret.txt"}},
                                   {"readWriteRoots", {"~/w/x/"}}},
                              "/home/u");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->allowed_roots == (std::vector<std::string>{"/p/a", "/home/u/w"}));
  BOOST_TEST(r->read_write_roots == (std::vector<std::string>{"/home/u/w/x"}));
  BOOST_TEST(r->blocked_patterns == (std::vector<std::string>{"token", "Secret.txt"}));
  BOOST_TEST(r->non_main_read_only);
  BOOST_TEST(r->configured);
  BOOST_TEST(r->updated_at == 0);
  auto off = validate_allowlist(json{{"allowedRoots", json::array()},
                                     {"blockedPatterns", json::array()},
                                     {"nonMainReadOnly", false}},
                                "/home/u");
  BOOST_REQUIRE(off);
  BOOST_TEST(!off->non_main_read_only);
}

BOOST_AUTO_TEST_CASE(mount_requests_are_type_checked) {
  BOOST_TEST(request_field(json::array()) == "");
  BOOST_TEST(request_field(json::object()) == "hostPath");
  BOOST_TEST(request_field(json{{"hostPath", ""}}) == "hostPath");
  BOOST_TEST(request_field(json{{"hostPath", 1}}) == "hostPath");
  BOOST_TEST(request_field(json{{"hostPath", std::string("/a\0", 3)}}) == "hostPath");
  BOOST_TEST(request_field(json{{"hostPath", "/a"}, {"containerPath", 1}}) == "containerPath");
  BOOST_TEST(request_field(json{{"hostPath", "/a"}, {"readOnly", "false"}}) == "readOnly");
  BOOST_TEST(request_field(json{{"hostPath", "/a"}, {"group", 3}}) == "group");
  auto ok = parse_mount_request(json{{"hostPath", "/a"}});
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok->read_only);
  BOOST_TEST(!ok->container_path);
  BOOST_TEST(ok->group.empty());
  auto full = parse_mount_request(json{{"hostPath", "/a"}, {"containerPath", "c"},
                                       {"readOnly", false}, {"group", "reporting"}});
  BOOST_REQUIRE(full);
  BOOST_TEST(!full->read_only);
  BOOST_TEST(full->container_path.value_or("") == "c");
  BOOST_TEST(full->group == "reporting");
}

// -- JSON shapes ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_allowlist_json_has_the_get_shape_with_effective_patterns) {
  mount_allowlist fresh;
  auto j = to_json(fresh);
  BOOST_TEST(j.dump() == R"({"allowedRoots":[],"blockedPatterns":[],"configured":false,)"
                         R"("effectiveBlockedPatterns":[".ssh",".gnupg",".gpg",".aws",".azure",)"
                         R"(".gcloud",".kube",".docker","credentials",".env",".netrc",".npmrc",)"
                         R"(".pypirc","id_rsa","id_ed25519","private_key",".secret"],)"
                         R"("nonMainReadOnly":true,"readWriteRoots":[],"updatedAt":null})");
  mount_allowlist set;
  set.allowed_roots = {"/p"};
  set.blocked_patterns = {".SSH", "token", "TOKEN"};
  set.configured = true;
  set.updated_at = 1773568800000;
  auto k = to_json(set);
  BOOST_TEST(k["blockedPatterns"].size() == 3u);
  BOOST_TEST(k["effectiveBlockedPatterns"].size() == 18u);
  BOOST_TEST(k["effectiveBlockedPatterns"].back() == "token");
  BOOST_TEST(k["updatedAt"] == "2026-03-15T10:00:00.000Z");
  BOOST_TEST(k["configured"] == true);
}

BOOST_AUTO_TEST_CASE(the_decision_json_keeps_the_published_fields) {
  tree t;
  auto ok = to_json(t.check(t.projects + "/app"));
  BOOST_TEST(ok == (json{{"allowed", true},
                         {"canonicalHostPath", t.projects + "/app"},
                         {"containerPath", "/workspace/extra/app"},
                         {"readOnly", true},
                         {"message", "Mount validated successfully"},
                         {"reason", nullptr}}));
  auto blocked = to_json(t.check(t.projects + "/link-ssh"));
  BOOST_TEST(blocked["allowed"] == false);
  BOOST_TEST(blocked["reason"] == "blocked_pattern");
  BOOST_TEST(blocked["details"] == (json{{"pattern", ".ssh"}}));
  BOOST_TEST(blocked["canonicalHostPath"] == t.home + "/.ssh");
  auto early = to_json(t.check(t.projects + "/app", false, true, "a:b"));
  BOOST_TEST(early["canonicalHostPath"].is_null());
  BOOST_TEST(early["containerPath"].is_null());
  BOOST_TEST(!early.contains("details"));
  BOOST_TEST(early["message"].get<std::string>().size() > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
