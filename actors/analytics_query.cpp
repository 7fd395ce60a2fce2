// Parsing and answering `GET /container/analytics`.

#include <algorithm>

#include "actors/analytics.hpp"
#include "actors/namespace_state.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr int64_t hour_ms = 3600 * 1000;
constexpr int64_t day_ms = 24 * hour_ms;
constexpr int64_t max_buckets = 10000;

int64_t floor_to(int64_t t, int64_t unit) {
  return t / unit * unit;
}

int64_t ceil_to(int64_t t, int64_t unit) {
  return (t + unit - 1) / unit * unit;
}

json optional_ms(std::optional<int64_t> v) {
  return v ? json(*v) : json(nullptr);
}

/// What one window slice (a series bucket, a group, the totals) adds up.
struct tally {
  uint64_t runs = 0, success = 0, error = 0, timeout = 0, dropped = 0, fired = 0;
  uint64_t in = 0, out = 0;
  std::vector<int64_t> durations;

  void add(const run_counts& c, bool keep_durations) {
    runs += c.runs;
    success += c.success;
    error += c.error;
    timeout += c.timeout;
    dropped += c.dropped;
    fired += c.fired;
    if (keep_durations)
      durations.insert(durations.end(), c.durations.begin(), c.durations.end());
  }

  uint64_t errors() const {
    return error + timeout;
  }
};

} // namespace

result<analytics_query> parse_analytics_query(const query_params& q, int64_t now) {
  analytics_query out;
  if (auto b = q.find("bucket"); b != q.end()) {
    if (b->second != "hour" && b->second != "day")
      return invalid("bucket", "bucket must be hour or day");
    out.bucket = b->second;
  }
  auto unit = out.bucket == "hour" ? hour_ms : day_ms;
  auto time_param = [&](const char* key) -> result<std::optional<int64_t>> {
    auto i = q.find(key);
    if (i == q.end())
      return std::optional<int64_t>{};
    auto t = parse_time(i->second);
    if (!t || *t < 0)
      return invalid(key, std::string{key} + " must be an RFC 3339 time after 1970");
    return std::optional<int64_t>{*t};
  };
  auto from = time_param("from");
  if (!from)
    return from.err();
  auto to = time_param("to");
  if (!to)
    return to.err();
  auto end = to->value_or(now);
  auto begin = from->value_or(end - 7 * day_ms);
  if (begin >= end)
    return invalid("from", "from must be before to");
  out.from = floor_to(std::max<int64_t>(begin, 0), unit);
  out.to = ceil_to(end, unit);
  if ((out.to - out.from) / unit > max_buckets)
    return invalid("bucket", "the window holds more than 10000 buckets; use a larger bucket");
  if (auto g = q.find("group"); g != q.end())
    out.group = g->second;
  return out;
}

json analytics_model::answer(const analytics_query& q) const {
  auto unit = q.bucket == "hour" ? hour_ms : day_ms;
  auto buckets = static_cast<size_t>((q.to - q.from) / unit);
  auto wanted = namespace_key(q.group);
  std::vector<tally> series(buckets);
  std::map<std::string, tally> by_group;
  std::map<std::string, traffic_counts> by_channel;
  tally total;
  auto first = hours_.lower_bound(q.from / hour_ms);
  auto last = hours_.lower_bound(q.to / hour_ms);
  for (auto i = first; i != last; ++i) {
    auto& slot = series[static_cast<size_t>((i->first * hour_ms - q.from) / unit)];
    for (auto& [name, counts] : i->second.groups) {
      if (!wanted.empty() && namespace_key(name) != wanted)
        continue;
      slot.add(counts, false);
      total.add(counts, true);
      if (counts.runs + counts.dropped + counts.fired > 0)
        by_group[name].add(counts, true);
    }
    for (auto& [name, c] : i->second.channels) {
      slot.in += c.in;
      slot.out += c.out;
      total.in += c.in;
      total.out += c.out;
      by_channel[name].in += c.in;
      by_channel[name].out += c.out;
    }
  }
  json out_series = json::array();
  for (size_t i = 0; i < buckets; ++i) {
    auto& s = series[i];
    out_series.push_back(json{{"start", format_time(q.from + static_cast<int64_t>(i) * unit)},
                              {"runs", s.runs},
                              {"errors", s.errors()},
                              {"messagesIn", s.in},
                              {"messagesOut", s.out}});
  }
  json groups = json::array();
  for (auto& [name, t] : by_group)
    groups.push_back(json{{"group", name},
                          {"runs", t.runs},
                          {"errors", t.errors()},
                          {"p50DurationMs", optional_ms(percentile(t.durations, 50))}});
  json channels = json::array();
  for (auto& [name, c] : by_channel)
    channels.push_back(json{{"channel", name}, {"messagesIn", c.in}, {"messagesOut", c.out}});
  auto p50 = percentile(total.durations, 50);
  auto p95 = percentile(total.durations, 95);
  return json{{"from", format_time(q.from)},
              {"to", format_time(q.to)},
              {"bucket", q.bucket},
              {"totals",
               {{"runs", total.runs},
                {"success", total.success},
                {"error", total.error},
                {"timeout", total.timeout},
                {"dropped", total.dropped},
                {"p50DurationMs", optional_ms(p50)},
                {"p95DurationMs", optional_ms(p95)},
                {"messagesIn", total.in},
                {"messagesOut", total.out},
                {"schedulesFired", total.fired}}},
              {"series", std::move(out_series)},
              {"byGroup", std::move(groups)},
              {"byChannel", std::move(channels)}};
}

} // namespace pincer
