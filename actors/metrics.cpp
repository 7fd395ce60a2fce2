#include "actors/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

namespace pincer {

// -- http_stats ---------------------------------------------------------------

size_t http_stats::bucket_of(int64_t micros) {
  if (micros <= 1)
    return 0;
  auto index = static_cast<size_t>(std::ceil(std::log2(static_cast<double>(micros)) * 8.0));
  return std::min(index, bucket_count - 1);
}

double http_stats::bucket_upper(size_t index) {
  return std::exp2(static_cast<double>(index) / 8.0);
}

void http_stats::record(int status, int64_t micros) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (status >= 500)
    errors_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(micros, 0)),
                    std::memory_order_relaxed);
  buckets_[bucket_of(micros)].fetch_add(1, std::memory_order_relaxed);
}

double http_stats::quantile(const std::array<uint64_t, bucket_count>& counts, uint64_t total,
                            double q) const {
  if (total == 0)
    return 0;
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  uint64_t seen = 0;
  for (size_t i = 0; i < bucket_count; ++i) {
    seen += counts[i];
    if (seen >= rank && counts[i] > 0)
      return bucket_upper(i) / 1000.0;
  }
  return bucket_upper(bucket_count - 1) / 1000.0;
}

http_stats::snapshot http_stats::read() const {
  std::array<uint64_t, bucket_count> counts{};
  uint64_t total = 0;
  for (size_t i = 0; i < bucket_count; ++i) {
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
    total += counts[i];
  }
  snapshot out;
  out.requests = requests_.load(std::memory_order_relaxed);
  out.errors_5xx = errors_.load(std::memory_order_relaxed);
  out.sum_ms = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1000.0;
  out.p50_ms = quantile(counts, total, 0.5);
  out.p99_ms = quantile(counts, total, 0.99);
  return out;
}

// -- append_rate --------------------------------------------------------------

void append_rate::sample(int64_t now_ms, uint64_t seq) {
  samples_.emplace_back(now_ms, seq);
  // Keep one sample at or before the window's start as the baseline.
  while (samples_.size() > 2 && samples_[1].first <= now_ms - 60000)
    samples_.pop_front();
}

double append_rate::per_second(int64_t now_ms) const {
  if (samples_.empty())
    return 0;
  uint64_t base = samples_.front().second;
  for (auto& [t, seq] : samples_)
    if (t <= now_ms - 60000)
      base = seq;
  auto last = samples_.back().second;
  return last > base ? static_cast<double>(last - base) / 60.0 : 0.0;
}

// -- JSON ---------------------------------------------------------------------

namespace {

uint64_t count_of(const json& j, const char* key) {
  auto i = j.find(key);
  return i != j.end() && i->is_number() ? i->get<uint64_t>() : 0;
}

double rounded(double x) {
  return std::round(x * 1000.0) / 1000.0;
}

} // namespace

json metrics_json(const metrics_snapshot& s) {
  uint64_t connected = 0, in = 0, out = 0;
  for (auto& c : s.channels) {
    connected += c.value("status", "") == "connected";
    in += count_of(c, "messagesIn");
    out += count_of(c, "messagesOut");
  }
  const json& runs = s.totals.contains("runs") ? s.totals["runs"] : json::object();
  return json{
    {"uptimeSecs", s.uptime_secs},
    {"containers",
     {{"active", count_of(s.queue, "active")},
      {"idleWaiting", count_of(s.queue, "idleWaiting")},
      {"maxConcurrent", count_of(s.queue, "maxConcurrent")}}},
    {"queue",
     {{"waitingGroups", count_of(s.queue, "waitingGroups")},
      {"pendingMessages", count_of(s.queue, "pendingMessages")},
      {"pendingTasks", count_of(s.queue, "pendingTasks")}}},
    {"runs",
     {{"total", count_of(runs, "total")},
      {"success", count_of(runs, "success")},
      {"error", count_of(runs, "error")},
      {"timeout", count_of(runs, "timeout")},
      {"dropped", count_of(runs, "dropped")}}},
    {"events", {{"lastSeq", s.last_seq}, {"appendedPerSec1m", rounded(s.appended_per_sec)}}},
    {"http",
     {{"requests", s.http.requests},
      {"errors5xx", s.http.errors_5xx},
      {"p50Ms", rounded(s.http.p50_ms)},
      {"p99Ms", rounded(s.http.p99_ms)}}},
    {"channels", {{"connected", connected}, {"messagesIn", in}, {"messagesOut", out}}},
    {"credentialProxy",
     {{"running", s.proxy.value("running", false)},
      {"requestsServed", count_of(s.proxy, "requestsServed")}}}};
}

// -- Prometheus ---------------------------------------------------------------

namespace {

std::string number(double x) {
  if (std::isnan(x))
    return "NaN";
  if (x == std::floor(x) && std::fabs(x) < 1e15)
    return std::to_string(static_cast<int64_t>(x));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

/// Writes one metric family: HELP, TYPE, then its samples.
class family_writer {
public:
  explicit family_writer(std::string& out) : out_(out) {
  }

  void family(const std::string& name, const char* type, const char* help) {
    name_ = "pincer_" + name;
    out_ += "# HELP " + name_ + ' ' + help + '\n';
    out_ += "# TYPE " + name_ + ' ' + type + '\n';
  }

  void sample(double value, const std::string& labels = {}, const char* suffix = "") {
    out_ += name_ + suffix;
    if (!labels.empty())
      out_ += '{' + labels + '}';
    out_ += ' ' + number(value) + '\n';
  }

  void single(const std::string& name, const char* type, const char* help, double value) {
    family(name, type, help);
    sample(value);
  }

private:
  std::string& out_;
  std::string name_;
};

} // namespace

std::string metrics_prometheus(const metrics_snapshot& s) {
  auto m = metrics_json(s);
  std::string out;
  family_writer w{out};
  auto num = [](const json& j) { return j.is_boolean() ? (j.get<bool>() ? 1.0 : 0.0)
                                                       : j.get<double>(); };
  w.single("uptime_seconds", "gauge", "Seconds since the server started.", num(m["uptimeSecs"]));
  auto& c = m["containers"];
  w.single("containers_active", "gauge", "Containers running or idle-waiting.", num(c["active"]));
  w.single("containers_idle_waiting", "gauge", "Containers idle-waiting for input.",
           num(c["idleWaiting"]));
  w.single("containers_max_concurrent", "gauge", "The global container limit.",
           num(c["maxConcurrent"]));
  auto& q = m["queue"];
  w.single("queue_waiting_groups", "gauge", "Groups waiting for a container slot.",
           num(q["waitingGroups"]));
  w.single("queue_pending_messages", "gauge", "Messages waiting in group queues.",
           num(q["pendingMessages"]));
  w.single("queue_pending_tasks", "gauge", "Tasks waiting in group queues.",
           num(q["pendingTasks"]));
  w.family("runs_total", "counter", "Container runs by final status.");
  for (auto status : {"success", "error", "timeout", "dropped"})
    w.sample(num(m["runs"][status]), std::string{"status=\""} + status + '"');
  w.single("events_last_seq", "gauge", "Sequence number of the newest event.",
           num(m["events"]["lastSeq"]));
  w.single("events_appended_per_second", "gauge", "Events appended per second over the last minute.",
           s.appended_per_sec);
  w.single("http_requests_total", "counter", "HTTP requests answered.",
           static_cast<double>(s.http.requests));
  w.single("http_errors_5xx_total", "counter", "HTTP requests answered with a 5xx status.",
           static_cast<double>(s.http.errors_5xx));
  w.family("http_request_duration_milliseconds", "summary",
           "HTTP answer latency (log-bucketed, within 9 %).");
  w.sample(s.http.p50_ms, "quantile=\"0.5\"");
  w.sample(s.http.p99_ms, "quantile=\"0.99\"");
  w.sample(s.http.sum_ms, {}, "_sum");
  w.sample(static_cast<double>(s.http.requests), {}, "_count");
  w.single("channels_connected", "gauge", "Channels currently connected.",
           num(m["channels"]["connected"]));
  std::vector<std::pair<std::string, std::pair<double, double>>> traffic;
  for (auto& ch : s.channels)
    traffic.push_back({ch.value("name", ""),
                       {static_cast<double>(count_of(ch, "messagesIn")),
                        static_cast<double>(count_of(ch, "messagesOut"))}});
  w.family("channel_messages_in_total", "counter", "Messages received per channel.");
  for (auto& [name, t] : traffic)
    w.sample(t.first, "channel=\"" + label_value(name) + '"');
  w.family("channel_messages_out_total", "counter", "Messages sent per channel.");
  for (auto& [name, t] : traffic)
    w.sample(t.second, "channel=\"" + label_value(name) + '"');
  auto& p = m["credentialProxy"];
  w.single("credential_proxy_running", "gauge", "1 when the credential proxy listens.",
           num(p["running"]));
  w.single("credential_proxy_requests_total", "counter", "Requests the credential proxy served.",
           num(p["requestsServed"]));
  return out;
}

} // namespace pincer
