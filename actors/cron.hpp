#pragma once

// Cron expressions (5 fields, Vixie semantics) evaluated in an IANA time
// zone, and the time-zone look-ups of schedules.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "events/error.hpp"

namespace date {
class time_zone;
} // namespace date

namespace pincer {

/// A parsed cron expression: the allowed values of each field.
struct cron_expr {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;   ///< Day of month, 1..31.
  std::bitset<13> months; ///< 1..12.
  std::bitset<7> weekdays; ///< 0 = Sunday .. 6 = Saturday (7 folds onto 0).
  bool days_star = false;     ///< The day-of-month field starts with `*`.
  bool weekdays_star = false; ///< The day-of-week field starts with `*`.

  /// Whether a calendar day matches: when both day fields are restricted,
  /// either may match (Vixie cron); otherwise both must.
  bool matches_day(unsigned month, unsigned day, unsigned weekday) const;
};

/// Parses `minute hour day-of-month month day-of-week` (lists, ranges,
/// steps, `JAN`..`DEC`, `SUN`..`SAT`, 7 = Sunday) or one of `@hourly`,
/// `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`.
/// Fails (message only) on bad syntax and on an expression that never fires.
result<cron_expr> parse_cron(const std::string& text);

/// The first instant strictly after `after_ms` (epoch ms) whose wall time in
/// `zone` matches: a wall time that does not exist that day (DST gap) is
/// skipped, one that occurs twice fires at its first occurrence only.
/// nullopt when nothing matches within the next ten years.
std::optional<int64_t> next_cron_time(const cron_expr& expr, const date::time_zone* zone,
                                      int64_t after_ms);

/// The zone of an IANA name from the system's zoneinfo, or nullptr.
const date::time_zone* find_time_zone(const std::string& name);

/// The server's zone: `TZ` when it names a known zone, else the system's
/// (`/etc/localtime`), else `UTC`.
const std::string& default_time_zone();

/// Reads a wall-clock RFC 3339 time: with `Z` or an offset it is that
/// instant; without one it is read in `zone` (a time in a DST gap is moved
/// forward by the gap, an ambiguous one is its first occurrence).
std::optional<int64_t> parse_wall_time(const std::string& text, const date::time_zone* zone);

} // namespace pincer
