#pragma once

#include <memory>

#include "actors/audit_log.hpp"
#include "actors/interfaces.hpp"

namespace pincer {

/// State of the audit-log projection runner.
struct audit_actor_state {
  std::shared_ptr<event_store> store;
  audit_projection projection;
  uint64_t position = 0; ///< Last sequence applied and committed.

  /// Applies everything up to the end of the log.
  result<uint64_t> catch_up();

  static inline const char* name = "audit-log";
};

/// The runner's behaviour: follows the log from its stored checkpoint.
audit_actor::behavior_type audit_log(audit_actor::stateful_pointer<audit_actor_state> self,
                                     std::shared_ptr<event_store> store);

} // namespace pincer
