#pragma once

#include <functional>
#include <memory>

#include "actors/audit_log.hpp"
#include "actors/interfaces.hpp"

namespace pincer {

/// Answers a query on a caught-up projection.
using projection_query = std::function<result<json>(const event_store&, const query_params&)>;

/// State of a projection runner.
struct projection_runner_state {
  std::shared_ptr<event_store> store;
  std::shared_ptr<const projection> view;
  projection_query query;
  uint64_t position = 0; ///< Last sequence applied and committed.

  /// Applies everything up to the end of the log.
  result<uint64_t> catch_up();

  static inline const char* name = "projection";
};

/// Follows the log from the projection's stored checkpoint and answers
/// queries after catching up.
audit_actor::behavior_type
projection_runner(audit_actor::stateful_pointer<projection_runner_state> self,
                  std::shared_ptr<event_store> store, std::shared_ptr<const projection> view,
                  projection_query query);

/// The audit-log runner.
audit_actor spawn_audit_log(caf::actor_system& sys, std::shared_ptr<event_store> store);

/// The run-history runner.
audit_actor spawn_run_history(caf::actor_system& sys, std::shared_ptr<event_store> store);

} // namespace pincer
