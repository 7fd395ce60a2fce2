#pragma once

#include <cstdint>
#include <functional>

#include "actors/core.hpp"
#include "actors/metrics.hpp"

namespace pincer {

/// The monitoring side of the server facade: live metrics, analytics and
/// the HTTP layer's request accounting. Every method returns at once.
class monitoring {
public:
  virtual ~monitoring() = default;

  /// `GET /container/metrics`.
  virtual void metrics(reply_handler done) = 0;

  /// `GET /metrics`: the Prometheus text exposition (`text/plain`).
  virtual void prometheus(reply_handler done) = 0;

  /// `GET /container/analytics` with its query parameters.
  virtual void analytics(const query_params& q, reply_handler done) = 0;

  /// Notes one answered HTTP request: its status and how long it took.
  virtual void record_request(int status, int64_t micros) = 0;
};

/// The monitoring facade of a core made by `core::start`.
monitoring& monitoring_of(core& c);

/// Where the parts of a metrics answer come from; each answers once.
struct metrics_sources {
  std::function<void(reply_handler)> queue;    ///< Queue counts.
  std::function<void(reply_handler)> channels; ///< The channel list.
  std::function<void(reply_handler)> proxy;    ///< Credential proxy status.
  std::function<void(reply_handler)> totals;   ///< Analytics `view=totals`.
};

/// Asks every source at once and calls `then` with the snapshot after the
/// last answer; a failed source leaves its part empty (zeros).
void gather_metrics(const metrics_sources& src, std::function<void(metrics_snapshot)> then);

} // namespace pincer
