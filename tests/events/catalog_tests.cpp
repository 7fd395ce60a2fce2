#include "events/catalog.hpp"

#include <fstream>

#include <boost/test/unit_test.hpp>

#include "events/namespace_events.hpp"
#include "events/time.hpp"

using namespace pincer;

namespace {

json golden(const std::string& name) {
  std::ifstream in{std::string{PINCER_SOURCE_DIR} + "/tests/golden/" + name};
  BOOST_REQUIRE(in.good());
  return json::parse(in);
}

/// A stored record built from envelope JSON, as the store would return it.
record record_from(const json& j) {
  record r;
  r.seq = j["seq"];
  r.stream = j["stream"];
  r.stream_version = j["streamVersion"];
  r.type = j["type"];
  r.schema_version = j["schemaVersion"];
  r.at = parse_time(j["at"].get<std::string>()).value();
  r.actor = j["actor"];
  r.request_id = j["requestId"];
  r.data = j["data"].dump();
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(events_catalog)

BOOST_AUTO_TEST_CASE(a_version_1_namespace_created_event_is_upcast_to_the_golden_version_2) {
  auto decoded = event_catalog().decode(record_from(golden("namespace_created_v1.json")));
  BOOST_REQUIRE(decoded);
  BOOST_TEST(to_json(*decoded) == golden("namespace_created_v1.upcast.json"));
}

BOOST_AUTO_TEST_CASE(the_main_group_of_version_1_needs_no_trigger_after_upcasting) {
  auto j = golden("namespace_created_v1.json");
  j["data"]["isMain"] = true;
  auto decoded = event_catalog().decode(record_from(j));
  BOOST_REQUIRE(decoded);
  BOOST_TEST(decoded->data["requiresTrigger"] == false);
}

BOOST_AUTO_TEST_CASE(current_versions_decode_unchanged) {
  auto j = golden("namespace_created_v1.upcast.json");
  auto decoded = event_catalog().decode(record_from(j));
  BOOST_REQUIRE(decoded);
  BOOST_TEST(decoded->data == j["data"]);
}

BOOST_AUTO_TEST_CASE(undecodable_records_are_reported_not_thrown) {
  auto base = record_from(golden("namespace_created_v1.json"));
  auto unknown = base;
  unknown.type = "no.such.type";
  auto future = base;
  future.schema_version = 99;
  auto garbage = base;
  garbage.data = "{not json";
  auto corrupt = base;
  corrupt.checksum_ok = false;
  for (auto* r : {&unknown, &future, &garbage, &corrupt}) {
    auto decoded = event_catalog().decode(*r);
    BOOST_REQUIRE(!decoded);
    BOOST_TEST((decoded.err().code == ec::undecodable_event));
  }
}

BOOST_AUTO_TEST_CASE(drafts_carry_the_current_schema_version) {
  BOOST_TEST(event_catalog().make(event_types::namespace_created, json{}).schema_version == 2u);
  BOOST_TEST(event_catalog().make(event_types::namespace_deleted, json{}).schema_version == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(events_time)

BOOST_AUTO_TEST_CASE(times_format_as_rfc3339_utc_with_milliseconds) {
  BOOST_TEST(format_time(0) == "1970-01-01T00:00:00.000Z");
  BOOST_TEST(format_time(1773568800123) == "2026-03-15T10:00:00.123Z");
}

BOOST_AUTO_TEST_CASE(parsing_accepts_offsets_and_fractions_and_rejects_garbage) {
  BOOST_TEST(parse_time("2026-03-15T10:00:00.123Z").value() == 1773568800123);
  BOOST_TEST(parse_time("2026-03-15T12:00:00+02:00").value() == 1773568800000);
  BOOST_TEST(parse_time("2026-03-15T10:00:00.5Z").value() == 1773568800500);
  for (auto bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-03-15T10:00:00",
                   "2026-03-15T10:00:00Zjunk", "2026-03-15T25:00:00Z"})
    BOOST_TEST(!parse_time(bad).has_value());
}

BOOST_AUTO_TEST_CASE(uuids_are_version_4_and_distinct) {
  auto a = make_uuid(), b = make_uuid();
  BOOST_TEST(a.size() == 36u);
  BOOST_TEST(a[14] == '4');
  BOOST_TEST((a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b'));
  BOOST_TEST(a != b);
}

BOOST_AUTO_TEST_SUITE_END()
