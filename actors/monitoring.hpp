#pragma once

#include <cstdint>
#include <functional>

#include "actors/core.hpp"
#include "actors/metrics.hpp"

namespace pincer {

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
