#pragma once

#include <memory>

#include "actors/interfaces.hpp"
#include "actors/mount_policy.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// The allowlist as stored in a `mount.allowlist_set` event.
json allowlist_event_data(const mount_allowlist& list);

/// Applies a `mount.allowlist_set` event.
void apply_allowlist_event(mount_allowlist& list, const envelope& e);

/// The `mount.validated` event data for a decision.
json validation_event_data(const mount_request& request, const mount_decision& decision);

/// State of the mount-policy actor.
struct mount_actor_state {
  std::shared_ptr<event_store> store;
  event_log_actor log;
  directory_actor directory;
  mount_allowlist allowlist;
  uint64_t version = 0;      ///< Version of the allowlist stream applied.
  mount_context context;     ///< Home and protected folders (`is_main` per request).

  static inline const char* name = "mount-policy";
};

/// The mount-policy actor: owns the allowlist and validates every mount.
mount_actor::behavior_type mount_policy(mount_actor::stateful_pointer<mount_actor_state> self,
                                        std::shared_ptr<event_store> store, event_log_actor log,
                                        directory_actor directory, mount_context context);

} // namespace pincer
