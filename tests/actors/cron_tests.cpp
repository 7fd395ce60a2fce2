#include "actors/cron.hpp"

#include <boost/test/unit_test.hpp>

#include "events/time.hpp"

using namespace pincer;

namespace {

int64_t at(const std::string& text) {
  auto t = parse_time(text);
  BOOST_TEST_REQUIRE(t.has_value(), "bad time in test: " << text);
  return *t;
}

/// The next firing after `after` as RFC 3339 UTC, or "never" / "invalid".
std::string next(const std::string& expr, const std::string& after,
                 const std::string& zone = "UTC") {
  auto parsed = parse_cron(expr);
  if (!parsed)
    return "invalid";
  auto tz = find_time_zone(zone);
  BOOST_TEST_REQUIRE(tz != nullptr);
  auto t = next_cron_time(*parsed, tz, at(after));
  return t ? format_time(*t) : "never";
}

struct row {
  const char* expr;
  const char* after;
  const char* expected;
};

} // namespace

BOOST_AUTO_TEST_SUITE(actors_cron)

BOOST_AUTO_TEST_CASE(expressions_give_the_expected_next_times_in_utc) {
  const row table[] = {
    {"*/15 * * * *", "2026-03-15T10:07:00.000Z", "2026-03-15T10:15:00.000Z"},
    {"*/15 * * * *", "2026-03-15T10:15:00.000Z", "2026-03-15T10:30:00.000Z"},
    {"*/15 * * * *", "2026-03-15T23:59:30.000Z", "2026-03-16T00:00:00.000Z"},
    {"* * * * *", "2026-03-15T10:07:59.999Z", "2026-03-15T10:08:00.000Z"},
    {"0 9 * * MON-FRI", "2026-03-14T12:00:00.000Z", "2026-03-16T09:00:00.000Z"},
    {"0 9 * * mon-fri", "2026-03-16T09:00:00.000Z", "2026-03-17T09:00:00.000Z"},
    {"1-5/2 * * * *", "2026-03-15T10:03:00.000Z", "2026-03-15T10:05:00.000Z"},
    {"1-5/2 * * * *", "2026-03-15T10:05:00.000Z", "2026-03-15T11:01:00.000Z"},
    {"10/20 * * * *", "2026-03-15T10:31:00.000Z", "2026-03-15T10:50:00.000Z"},
    {"0,30 8-9 * * *", "2026-03-15T09:30:00.000Z", "2026-03-16T08:00:00.000Z"},
    {"0 0 29 2 *", "2026-03-01T00:00:00.000Z", "2028-02-29T00:00:00.000Z"},
    {"0 0 29 FEB *", "2028-02-29T00:00:00.000Z", "2032-02-29T00:00:00.000Z"},
    // Both day fields restricted: either matches (the 15th is a Sunday).
    {"0 12 15 * FRI", "2026-03-14T00:00:00.000Z", "2026-03-15T12:00:00.000Z"},
    {"0 12 13 * FRI", "2026-03-14T00:00:00.000Z", "2026-03-20T12:00:00.000Z"},
    // A day field starting with `*` counts as unrestricted: both must match.
    {"0 12 */2 * FRI", "2026-03-14T00:00:00.000Z", "2026-03-27T12:00:00.000Z"},
    // February never has a 31st, but Mondays match on their own.
    {"0 0 31 2 MON", "2026-01-31T12:00:00.000Z", "2026-02-02T00:00:00.000Z"},
    {"0 0 * * 7", "2026-03-14T00:00:00.000Z", "2026-03-15T00:00:00.000Z"},
    {"0 0 * * 0", "2026-03-14T00:00:00.000Z", "2026-03-15T00:00:00.000Z"},
    {"0 0 * * 5-7", "2026-03-14T00:00:00.000Z", "2026-03-15T00:00:00.000Z"},
    {"0 0 * jan-mar sun", "2026-03-29T00:00:00.000Z", "2027-01-03T00:00:00.000Z"},
    {"0 0 1 JAN,jul *", "2026-03-14T00:00:00.000Z", "2026-07-01T00:00:00.000Z"},
    {"@hourly", "2026-03-15T10:07:00.000Z", "2026-03-15T11:00:00.000Z"},
    {"@daily", "2026-03-15T10:07:00.000Z", "2026-03-16T00:00:00.000Z"},
    {"@midnight", "2026-03-15T10:07:00.000Z", "2026-03-16T00:00:00.000Z"},
    {"@weekly", "2026-03-15T10:07:00.000Z", "2026-03-22T00:00:00.000Z"},
    {"@monthly", "2026-03-15T10:07:00.000Z", "2026-04-01T00:00:00.000Z"},
    {"@yearly", "2026-03-15T10:07:00.000Z", "2027-01-01T00:00:00.000Z"},
    {"@annually", "2026-03-15T10:07:00.000Z", "2027-01-01T00:00:00.000Z"},
    {"  0   9  *  *  1  ", "2026-03-15T10:07:00.000Z", "2026-03-16T09:00:00.000Z"},
  };
  for (auto& r : table)
    BOOST_TEST(next(r.expr, r.after) == r.expected, r.expr << " after " << r.after);
}

BOOST_AUTO_TEST_CASE(expressions_that_never_fire_or_are_malformed_are_rejected) {
  const char* bad[] = {
    "0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30-31 2 *", "",
    "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *",
    "* * * 0 *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "*/61 * * * *", "5-1 * * * *",
    "1,,2 * * * *", "a * * * *", "* * * JANUARY *", "* * * * MON-", "1-2-3 * * * *",
    "1/2/3 * * * *", "@fortnightly", "@", "* * * * SUN/x", "-1 * * * *", "0 0 * FEB-JAN *",
  };
  for (auto text : bad) {
    auto parsed = parse_cron(text);
    BOOST_TEST(!parsed, "'" << text << "' was accepted");
    if (!parsed) {
      BOOST_TEST((parsed.err().code == ec::validation_failed));
      BOOST_TEST(parsed.err().message.find("invalid cron expression") == 0u);
    }
  }
  BOOST_TEST(parse_cron("0 0 31 2 *").err().message.find("never fires") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(new_york_skips_wall_times_in_the_spring_gap_and_fires_once_in_the_autumn_overlap) {
  const std::string ny = "America/New_York";
  // 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist that day.
  BOOST_TEST(next("30 2 * * *", "2026-03-07T12:00:00.000Z", ny) == "2026-03-09T06:30:00.000Z");
  BOOST_TEST(next("*/30 * * * *", "2026-03-08T06:45:00.000Z", ny) == "2026-03-08T07:00:00.000Z");
  BOOST_TEST(next("0 9 * * *", "2026-03-07T15:00:00.000Z", ny) == "2026-03-08T13:00:00.000Z");
  // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:30 happens twice.
  BOOST_TEST(next("30 1 * * *", "2026-10-31T12:00:00.000Z", ny) == "2026-11-01T05:30:00.000Z");
  BOOST_TEST(next("30 1 * * *", "2026-11-01T05:30:00.000Z", ny) == "2026-11-02T06:30:00.000Z");
  BOOST_TEST(next("0 * * * *", "2026-11-01T05:00:00.000Z", ny) == "2026-11-01T07:00:00.000Z");
  // From inside the second pass of the overlap, the repeated times are past.
  BOOST_TEST(next("45 1 * * *", "2026-11-01T06:10:00.000Z", ny) == "2026-11-02T06:45:00.000Z");
}

BOOST_AUTO_TEST_CASE(berlin_skips_wall_times_in_the_spring_gap_and_fires_once_in_the_autumn_overlap) {
  const std::string berlin = "Europe/Berlin";
  // 2026-03-29 02:00 CET jumps to 03:00 CEST.
  BOOST_TEST(next("30 2 * * *", "2026-03-28T12:00:00.000Z", berlin)
             == "2026-03-30T00:30:00.000Z");
  BOOST_TEST(next("0 9 * * *", "2026-03-28T09:00:00.000Z", berlin)
             == "2026-03-29T07:00:00.000Z");
  // 2026-10-25 03:00 CEST falls back to 02:00 CET: 02:30 happens twice.
  BOOST_TEST(next("30 2 * * *", "2026-10-24T12:00:00.000Z", berlin)
             == "2026-10-25T00:30:00.000Z");
  BOOST_TEST(next("30 2 * * *", "2026-10-25T00:30:00.000Z", berlin)
             == "2026-10-26T01:30:00.000Z");
  BOOST_TEST(next("0 0 1 * *", "2026-10-15T00:00:00.000Z", berlin)
             == "2026-10-31T23:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(wall_times_without_offset_are_read_in_the_zone) {
  auto ny = find_time_zone("America/New_York");
  BOOST_TEST_REQUIRE(ny != nullptr);
  auto fmt = [&](const std::string& s) {
    auto t = parse_wall_time(s, ny);
    return t ? format_time(*t) : std::string{"invalid"};
  };
  BOOST_TEST(fmt("2026-06-01T12:00:00") == "2026-06-01T16:00:00.000Z");
  BOOST_TEST(fmt("2026-06-01T12:00") == "2026-06-01T16:00:00.000Z");
  BOOST_TEST(fmt("2026-01-15T12:00:00.250") == "2026-01-15T17:00:00.250Z");
  BOOST_TEST(fmt("2026-06-01T12:00:00Z") == "2026-06-01T12:00:00.000Z");
  BOOST_TEST(fmt("2026-06-01T12:00:00+02:00") == "2026-06-01T10:00:00.000Z");
  BOOST_TEST(fmt("2026-06-01T12:00:00-03:30") == "2026-06-01T15:30:00.000Z");
  // In the gap the time moves forward by the gap; in the overlap it is the first.
  BOOST_TEST(fmt("2026-03-08T02:30:00") == "2026-03-08T07:30:00.000Z");
  BOOST_TEST(fmt("2026-11-01T01:30:00") == "2026-11-01T05:30:00.000Z");
  for (auto bad : {"2026-02-30T00:00:00", "2026-06-01T25:00:00", "tomorrow", "2026-06-01",
                   "2026-06-01T12:00:00+2", "2026-06-01T12:00:00.", "2026-06-01T12:00:00 UTC"})
    BOOST_TEST(fmt(bad) == "invalid", bad);
}

BOOST_AUTO_TEST_CASE(zones_come_from_the_system_zoneinfo) {
  BOOST_TEST(find_time_zone("America/New_York") != nullptr);
  BOOST_TEST(find_time_zone("Europe/Berlin") != nullptr);
  BOOST_TEST(find_time_zone("UTC") != nullptr);
  BOOST_TEST(find_time_zone("Mars/Olympus_Mons") == nullptr);
  BOOST_TEST(find_time_zone("") == nullptr);
  BOOST_TEST(find_time_zone("../../etc/passwd") == nullptr);
  BOOST_TEST(find_time_zone(default_time_zone()) != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
