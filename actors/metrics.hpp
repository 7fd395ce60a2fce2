#pragma once

// Live metrics: `GET /container/metrics` (JSON) and `GET /metrics`
// (Prometheus text exposition format 0.0.4).

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>

#include "events/envelope.hpp"

namespace pincer {

/// HTTP request counts and a latency histogram, safe to update from any
/// thread. Latencies fall into log-scaled buckets (8 per power of two), so
/// a percentile is off by at most 9 % of its value.
class http_stats {
public:
  /// Records one answered request.
  void record(int status, int64_t micros);

  /// A consistent-enough copy for reporting.
  struct snapshot {
    uint64_t requests = 0;
    uint64_t errors_5xx = 0;
    double p50_ms = 0;
    double p99_ms = 0;
    double sum_ms = 0;
  };

  snapshot read() const;

  /// The bucket index of a latency (exposed for tests).
  static size_t bucket_of(int64_t micros);

  /// The upper bound of a bucket in microseconds (exposed for tests).
  static double bucket_upper(size_t index);

  static constexpr size_t bucket_count = 8 * 40;

private:
  double quantile(const std::array<uint64_t, bucket_count>& counts, uint64_t total,
                  double q) const;

  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> sum_us_{0};
  std::array<std::atomic<uint64_t>, bucket_count> buckets_{};
};

/// The event-append rate over the last minute, from (time, last sequence)
/// samples taken after every commit.
class append_rate {
public:
  /// Notes that the log reached `seq` at `now_ms`.
  void sample(int64_t now_ms, uint64_t seq);

  /// Events appended in the minute before `now_ms`, per second.
  double per_second(int64_t now_ms) const;

private:
  std::deque<std::pair<int64_t, uint64_t>> samples_;
};

/// Everything a metrics answer is made of, gathered from the actors.
struct metrics_snapshot {
  int64_t uptime_secs = 0;
  json queue = json::object();    ///< `GET /container/queue/counts` answer.
  json channels = json::array();  ///< `GET /channels` answer.
  json proxy = json::object();    ///< `GET /container/credential-proxy/status` answer.
  json totals = json::object();   ///< `analytics_model::totals()`.
  uint64_t last_seq = 0;
  double appended_per_sec = 0;
  http_stats::snapshot http;
};

/// The JSON of `GET /container/metrics` (shape in docs/api.md §9).
json metrics_json(const metrics_snapshot& s);

/// The Prometheus text of `GET /metrics`: every name prefixed `pincer_`,
/// one HELP and one TYPE line per metric family.
std::string metrics_prometheus(const metrics_snapshot& s);

} // namespace pincer
