#include "events/time.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace pincer {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

/// Year, month (1-12) and day (1-31) of a day count since 1970-01-01 in the
/// proleptic Gregorian calendar (H. Hinnant's civil_from_days).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

void put_digits(char* p, unsigned value, int n) {
  for (int i = n - 1; i >= 0; --i, value /= 10)
    p[i] = static_cast<char>('0' + value % 10);
}

} // namespace

std::string format_time(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  auto millis = static_cast<unsigned>(ms - secs * 1000);
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  auto sod = static_cast<unsigned>(secs - days * 86400);
  int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  if (year < 0 || year > 9999) {
    auto t = static_cast<time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, millis);
    return buf;
  }
  // 2026-03-15T10:00:00.000Z
  std::string out(24, '\0');
  char* p = out.data();
  put_digits(p, static_cast<unsigned>(year), 4);
  p[4] = '-';
  put_digits(p + 5, month, 2);
  p[7] = '-';
  put_digits(p + 8, day, 2);
  p[10] = 'T';
  put_digits(p + 11, sod / 3600, 2);
  p[13] = ':';
  put_digits(p + 14, sod / 60 % 60, 2);
  p[16] = ':';
  put_digits(p + 17, sod % 60, 2);
  p[19] = '.';
  put_digits(p + 20, millis, 3);
  p[23] = 'Z';
  return out;
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

} // namespace

std::optional<int64_t> parse_time(std::string_view s) {
  int year, mon, day, hour, min, sec;
  if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-'
      || !digits(s, 5, 2, mon) || s[7] != '-' || !digits(s, 8, 2, day)
      || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
      || !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, min)
      || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59
      || sec > 60)
    return std::nullopt;
  size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start)
      return std::nullopt;
  }
  int64_t offset_min = 0;
  if (pos == s.size())
    return std::nullopt;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':'
        || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size())
    return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm).
  int y = year - (mon <= 2);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_min * 60;
  return secs * 1000 + millis;
}

std::string make_uuid() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  uint64_t hi = gen(), lo = gen();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

} // namespace pincer
