#include "actors/cron.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <sstream>
#include <vector>

#include <date/tz.h>

namespace pincer {

namespace {

using namespace std::chrono;

/// The range and names of one cron field.
struct field_spec {
  const char* what;
  unsigned min;
  unsigned max;
  const char* const* names; ///< Three-letter names from `min` on, or nullptr.
};

constexpr const char* month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr field_spec specs[] = {
  {"minute", 0, 59, nullptr},
  {"hour", 0, 23, nullptr},
  {"day of month", 1, 31, nullptr},
  {"month", 1, 12, month_names},
  {"day of week", 0, 7, weekday_names},
};

/// Longest day of each month (February in a leap year).
constexpr unsigned month_days[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

error bad(const std::string& why) {
  return error{ec::validation_failed, "invalid cron expression: " + why};
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

/// A number (at most 3 digits) or, where the field has names, a name.
result<unsigned> parse_value(const std::string& s, const field_spec& f) {
  if (!s.empty() && s.size() <= 3
      && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); })) {
    auto v = static_cast<unsigned>(std::stoul(s));
    if (v < f.min || v > f.max)
      return bad(std::string{f.what} + " value " + s + " is out of range "
                 + std::to_string(f.min) + "-" + std::to_string(f.max));
    return v;
  }
  if (f.names) {
    unsigned count = f.max - f.min + 1 - (f.max == 7 ? 1 : 0);
    for (unsigned i = 0; i < count; ++i)
      if (s == f.names[i])
        return f.min + i;
  }
  return bad("'" + s + "' is not a valid " + f.what);
}

/// Parses one comma-separated field into a mask of allowed values.
result<uint64_t> parse_field(const std::string& text, const field_spec& f) {
  uint64_t mask = 0;
  for (auto& item : split(text, ',')) {
    if (item.empty())
      return bad(std::string{"empty list item in the "} + f.what + " field");
    auto parts = split(item, '/');
    if (parts.size() > 2)
      return bad("'" + item + "' has more than one step");
    unsigned step = 1;
    if (parts.size() == 2) {
      auto& s = parts[1];
      if (s.empty() || s.size() > 3
          || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); }))
        return bad("step '" + s + "' is not a number");
      step = static_cast<unsigned>(std::stoul(s));
      if (step == 0 || step > f.max - f.min + 1)
        return bad("step " + s + " is out of range for the " + f.what + " field");
    }
    unsigned lo = f.min;
    unsigned hi = f.max == 7 ? 6 : f.max;
    if (parts[0] != "*") {
      auto range = split(parts[0], '-');
      if (range.size() > 2)
        return bad("'" + parts[0] + "' is not a valid range");
      auto a = parse_value(range[0], f);
      if (!a)
        return a.err();
      lo = *a;
      hi = parts.size() == 2 ? f.max : lo;
      if (range.size() == 2) {
        auto b = parse_value(range[1], f);
        if (!b)
          return b.err();
        hi = *b;
        if (hi < lo)
          return bad("range '" + parts[0] + "' runs backwards");
      }
    }
    for (unsigned v = lo; v <= hi; v += step)
      mask |= uint64_t{1} << (f.max == 7 ? v % 7 : v);
  }
  return mask;
}

std::string expand_macro(const std::string& text) {
  if (text == "@hourly")
    return "0 * * * *";
  if (text == "@daily" || text == "@midnight")
    return "0 0 * * *";
  if (text == "@weekly")
    return "0 0 * * 0";
  if (text == "@monthly")
    return "0 0 1 * *";
  if (text == "@yearly" || text == "@annually")
    return "0 0 1 1 *";
  return {};
}

/// Whether some month of the expression has one of its days.
bool some_day_exists(const cron_expr& e) {
  for (unsigned m = 1; m <= 12; ++m)
    for (unsigned d = 1; d <= month_days[m]; ++d)
      if (e.months[m] && e.days[d])
        return true;
  return false;
}

template <size_t N>
void assign(std::bitset<N>& bits, uint64_t mask) {
  for (size_t i = 0; i < N; ++i)
    bits[i] = (mask >> i) & 1u;
}

} // namespace

bool cron_expr::matches_day(unsigned month, unsigned day, unsigned weekday) const {
  if (!months[month])
    return false;
  if (days_star || weekdays_star)
    return days[day] && weekdays[weekday];
  return days[day] || weekdays[weekday];
}

result<cron_expr> parse_cron(const std::string& raw) {
  auto text = lower(raw);
  auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos)
    return bad("it is empty");
  text = text.substr(first, text.find_last_not_of(" \t") - first + 1);
  if (text[0] == '@') {
    auto expanded = expand_macro(text);
    if (expanded.empty())
      return bad("unknown macro '" + text + "'");
    text = expanded;
  }
  std::vector<std::string> fields;
  std::istringstream in{text};
  for (std::string f; in >> f;)
    fields.push_back(f);
  if (fields.size() != 5)
    return bad("it needs 5 fields (minute hour day-of-month month day-of-week), not "
               + std::to_string(fields.size()));
  std::array<uint64_t, 5> masks{};
  for (size_t i = 0; i < 5; ++i) {
    auto mask = parse_field(fields[i], specs[i]);
    if (!mask)
      return mask.err();
    masks[i] = *mask;
  }
  cron_expr e;
  assign(e.minutes, masks[0]);
  assign(e.hours, masks[1]);
  assign(e.days, masks[2]);
  assign(e.months, masks[3]);
  assign(e.weekdays, masks[4]);
  e.days_star = fields[2][0] == '*';
  e.weekdays_star = fields[4][0] == '*';
  // With the day-of-week field unrestricted only the day of month counts.
  if (e.weekdays_star && !some_day_exists(e))
    return bad("it never fires (no month has that day)");
  return e;
}

std::optional<int64_t> next_cron_time(const cron_expr& expr, const date::time_zone* zone,
                                      int64_t after_ms) {
  using date::local_days;
  using date::local_info;
  date::sys_time<milliseconds> after{milliseconds{after_ms}};
  auto start = floor<minutes>(zone->to_local(after));
  auto day = floor<date::days>(start);
  for (int i = 0; i < 366 * 10 + 3; ++i, day += date::days{1}) {
    date::year_month_day ymd{day};
    date::weekday wd{day};
    if (!expr.matches_day(static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          wd.c_encoding()))
      continue;
    for (int h = 0; h < 24; ++h) {
      if (!expr.hours[h] || day + hours{h} + minutes{59} < start)
        continue;
      for (int m = 0; m < 60; ++m) {
        if (!expr.minutes[m])
          continue;
        auto t = day + hours{h} + minutes{m};
        if (t < start)
          continue;
        auto info = zone->get_info(t);
        if (info.result == local_info::nonexistent)
          continue; // DST gap: that wall time does not exist today.
        auto at = duration_cast<milliseconds>(t.time_since_epoch() - info.first.offset).count();
        if (at > after_ms)
          return at;
      }
    }
  }
  return std::nullopt;
}

const date::time_zone* find_time_zone(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

const std::string& default_time_zone() {
  static const std::string zone = [] {
    if (auto tz = std::getenv("TZ")) {
      std::string name = tz[0] == ':' ? tz + 1 : tz;
      if (find_time_zone(name))
        return name;
    }
    try {
      return std::string{date::current_zone()->name()};
    } catch (const std::exception&) {
      return std::string{"UTC"};
    }
  }();
  return zone;
}

std::optional<int64_t> parse_wall_time(const std::string& text, const date::time_zone* zone) {
  // `YYYY-MM-DDTHH:MM[:SS[.fff...]]` then optional `Z` or `+hh:mm`.
  auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
    if (pos + n > text.size())
      return std::nullopt;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i])))
        return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2),
       mi = digits(14, 2);
  if (!y || !mo || !d || !h || !mi || text[4] != '-' || text[7] != '-' || text[13] != ':'
      || (text[10] != 'T' && text[10] != 't' && text[10] != ' '))
    return std::nullopt;
  size_t pos = 16;
  int sec = 0;
  int64_t frac_ms = 0;
  if (pos < text.size() && text[pos] == ':') {
    auto s = digits(pos + 1, 2);
    if (!s)
      return std::nullopt;
    sec = *s;
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      size_t n = 0;
      for (++pos; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]));
           ++pos, ++n)
        if (n < 3)
          frac_ms = frac_ms * 10 + (text[pos] - '0');
      if (n == 0)
        return std::nullopt;
      for (; n < 3; ++n)
        frac_ms *= 10;
    }
  }
  date::year_month_day ymd{date::year{*y}, date::month(static_cast<unsigned>(*mo)),
                           date::day(static_cast<unsigned>(*d))};
  if (!ymd.ok() || *h > 23 || *mi > 59 || sec > 59)
    return std::nullopt;
  auto local = date::local_days{ymd} + hours{*h} + minutes{*mi} + seconds{sec};
  auto wall_ms = duration_cast<milliseconds>(local.time_since_epoch()).count() + frac_ms;
  auto rest = text.substr(pos);
  if (rest == "Z" || rest == "z")
    return wall_ms;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59)
      return std::nullopt;
    int64_t offset = (*oh * 60 + *om) * int64_t{60000};
    return rest[0] == '+' ? wall_ms - offset : wall_ms + offset;
  }
  if (!rest.empty() || !zone)
    return std::nullopt;
  auto info = zone->get_info(local);
  // Unique and ambiguous: the (first) offset. In a gap, `first` is the offset
  // before it, which moves the time forward by the gap.
  return wall_ms - duration_cast<milliseconds>(info.first.offset).count();
}

} // namespace pincer
