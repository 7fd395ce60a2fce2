#include "actors/mount_actor.hpp"

#include <filesystem>

#include "actors/audit_actor.hpp"
#include "actors/directory.hpp"
#include "actors/event_log.hpp"
#include "events/container_events.hpp"
#include "tests/actors/fixture.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

struct mount_fixture : deterministic_fixture {
  temp_dir dir;
  std::string root = dir.sub("projects");
  std::shared_ptr<event_store> store{make_memory_store()};
  event_log_actor log = track(spawn_event_log(sys, store, false));
  directory_actor directory = track(sys.spawn(
    pincer::directory, namespace_context{store, log, dir.sub("data")}, std::string{"Andy"}));
  mount_actor mounts = spawn_mounts();
  request_meta meta{"key:test", "req-m"};

  mount_fixture() {
    std::filesystem::create_directories(root + "/app");
    std::filesystem::create_directories(root + "/.ssh");
  }

  mount_actor spawn_mounts() {
    return track(sys.spawn(mount_policy, store, log, directory,
                           mount_context{dir.sub("home"), false, {dir.sub("data")}}));
  }

  caf::expected<reply> put(json body) {
    return ask<reply>(mounts, allowlist_atom::value, std::move(body), meta);
  }

  caf::expected<reply> validate(json body) {
    return ask<reply>(mounts, validate_atom::value, std::move(body), meta);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_mount_actor, mount_fixture)

BOOST_AUTO_TEST_CASE(every_mount_is_denied_until_an_allowlist_is_set) {
  auto got = ask<reply>(mounts, caf::get_atom::value, allowlist_atom::value);
  BOOST_REQUIRE(got);
  BOOST_TEST(got->body["configured"] == false);
  auto r = validate(json{{"hostPath", root + "/app"}});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->body["allowed"] == false);
  BOOST_TEST(r->body["reason"] == "no_allowlist");
}

BOOST_AUTO_TEST_CASE(an_allowlist_put_is_stored_and_survives_a_rebuild) {
  auto r = put(json{{"allowedRoots", {root}}, {"blockedPatterns", {"secret"}}});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->body["configured"] == true);
  BOOST_TEST(store->stream_version(mount_allowlist_stream) == 1u);
  auto fresh = spawn_mounts();
  auto got = ask<reply>(fresh, caf::get_atom::value, allowlist_atom::value);
  BOOST_TEST(got->body == r->body);
}

BOOST_AUTO_TEST_CASE(a_bad_allowlist_changes_nothing) {
  BOOST_REQUIRE(put(json{{"allowedRoots", {root}}, {"blockedPatterns", json::array()}}));
  auto before = store->last_seq();
  auto r = put(json{{"allowedRoots", {"relative/path"}}, {"blockedPatterns", json::array()}});
  BOOST_REQUIRE(!r);
  BOOST_TEST((from_caf(r.error()).code == ec::validation_failed));
  BOOST_TEST(store->last_seq() == before);
}

BOOST_AUTO_TEST_CASE(every_validation_is_an_event_and_denials_show_as_denied_in_the_audit_log) {
  BOOST_REQUIRE(put(json{{"allowedRoots", {root}}, {"blockedPatterns", json::array()}}));
  auto ok = validate(json{{"hostPath", root + "/app"}});
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok->body["allowed"] == true);
  BOOST_TEST(ok->body["containerPath"] == "/workspace/extra/app");
  auto denied = validate(json{{"hostPath", root + "/.ssh"}});
  BOOST_TEST(denied->body["reason"] == "blocked_pattern");
  BOOST_TEST(store->stream_version(mount_validation_stream) == 2u);
  auto audit = track(spawn_audit_log(sys, store));
  auto page = ask<reply>(audit, query_atom::value, query_params{{"action", "mount.validated"}});
  BOOST_REQUIRE(page);
  BOOST_REQUIRE(page->body["items"].size() == 2u);
  BOOST_TEST(page->body["items"][0]["outcome"] == "denied");
  BOOST_TEST(page->body["items"][1]["outcome"] == "ok");
}

BOOST_AUTO_TEST_CASE(the_main_group_may_mount_read_write_and_others_are_downgraded) {
  BOOST_REQUIRE(put(json{{"allowedRoots", {root}}, {"readWriteRoots", {root}},
                         {"blockedPatterns", json::array()}}));
  BOOST_REQUIRE(ask<reply>(directory, create_atom::value, json{{"name", "main"}, {"isMain", true}},
                           meta));
  BOOST_REQUIRE(ask<reply>(directory, create_atom::value, json{{"name", "other"}}, meta));
  auto main = validate(json{{"hostPath", root + "/app"}, {"readOnly", false}, {"group", "main"}});
  BOOST_TEST(main->body["readOnly"] == false);
  auto other = validate(json{{"hostPath", root + "/app"}, {"readOnly", false}, {"group", "other"}});
  BOOST_TEST(other->body["readOnly"] == true);
  BOOST_TEST(other->body["reason"] == "readwrite_downgraded");
  auto unknown = validate(json{{"hostPath", root + "/app"}, {"group", "nobody"}});
  BOOST_REQUIRE(!unknown);
  BOOST_TEST(from_caf(unknown.error()).field == "group");
}

BOOST_AUTO_TEST_SUITE_END()
