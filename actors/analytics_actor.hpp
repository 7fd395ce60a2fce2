#pragma once

#include <cstdint>
#include <memory>

#include "actors/analytics.hpp"
#include "actors/interfaces.hpp"
#include "actors/metrics.hpp"

namespace pincer {

/// State of the analytics runner: the stored projection plus the model
/// folded from its rows.
struct analytics_state {
  std::shared_ptr<event_store> store;
  analytics_projection view;
  analytics_model model;
  append_rate rate;
  uint64_t position = 0; ///< Last sequence applied, committed and folded.

  /// Folds the stored rows, then catches up with the log.
  result<uint64_t> start();

  /// Applies everything up to the end of the log and folds the new rows.
  result<uint64_t> catch_up();

  /// Answers a query: `view=totals` gives the all-time totals with the
  /// event counters (for metrics), anything else is an analytics query.
  result<json> query(const query_params& params, int64_t now) const;

  static inline const char* name = "analytics";
};

/// Follows the log from the stored checkpoint and answers analytics queries.
audit_actor::behavior_type
analytics_runner(audit_actor::stateful_pointer<analytics_state> self,
                 std::shared_ptr<event_store> store);

/// Spawns the analytics runner.
audit_actor spawn_analytics(caf::actor_system& sys, std::shared_ptr<event_store> store);

} // namespace pincer
