#pragma once

// The pieces of the server's start-up and of its log queries that need no
// state of the core itself.

#include <string>

#include <caf/all.hpp>

#include "actors/core.hpp"
#include "actors/interfaces.hpp"
#include "actors/mount_policy.hpp"
#include "actors/process.hpp"
#include "actors/runtime_actor.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// The runtime actor's settings from the server's configuration; detection
/// waits for the first request rather than the spawn.
runtime_settings runtime_settings_from(const core_config& cfg);

/// The mount policy's context: the home folder, and the protected paths
/// with the data folder among them.
mount_context mount_context_from(const core_config& cfg);

/// One page of `GET /events`: up to `limit` events after `after` whose
/// stream starts with `prefix` (all when empty), decoded where the catalog
/// knows them, with the cursor of the next page.
result<reply> read_events_page(const event_store& store, uint64_t after, size_t limit,
                               const std::string& prefix);

/// Stops this server's `pincer-` containers that an earlier process left
/// (labelled with `owner`) and records them as `queue.orphans_stopped`.
/// Blocks; runs on a thread of its own at start-up.
void stop_orphan_containers(caf::actor_system& system, const runtime_actor& runtime,
                            process_runner& runner, const event_log_actor& log,
                            const std::string& owner);

} // namespace pincer
