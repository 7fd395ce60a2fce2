#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/group_state.hpp"
#include "actors/interfaces.hpp"
#include "actors/launcher.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// What every group actor shares: the log, its peers and the settings.
struct group_context {
  std::shared_ptr<event_store> store;
  event_log_actor log;
  directory_actor directory;
  mount_actor mounts;
  runtime_actor runtime;
  proxy_actor proxy;          ///< The credential proxy; may be null.
  scheduler_actor scheduler;  ///< Takes IPC schedule requests; null until known.
  std::shared_ptr<container_launcher> launcher;
  std::string data_dir;       ///< Absolute.
  std::string owner;          ///< The `pincer.owner` label of this server's containers.
  std::string assistant_name;
  std::string default_image;
  std::string tz;             ///< `TZ` given to containers.
  queue_policy policy;
  std::function<int64_t()> clock; ///< Epoch ms.
};

/// State of one group actor: the queue rebuilt from events plus the live
/// facts of its container, which no event needs to restore.
struct group_actor_state {
  group_context ctx;
  queue_actor supervisor;
  std::string stream;
  group_state queue;
  json ns;                   ///< The namespace object.
  bool wants_slot = false;   ///< Asked the supervisor and waits.
  bool has_slot = false;
  bool retry_armed = false;  ///< A retry timer is pending.
  uint64_t attempt = 0;      ///< Numbers launches; stale callbacks are ignored.
  uint64_t process = 0;      ///< The launcher's id of the live container (0: none yet).
  bool idle_waiting = false;
  bool closing = false;      ///< `_close` was written.
  bool timed_out = false;
  uint64_t hard_gen = 0;     ///< Generation of the hard-timeout timer.
  uint64_t idle_gen = 0;     ///< Generation of the idle timer.

  /// The queue entry of api.md §6.
  json entry() const;

  /// `idle`, `running`, `idle_waiting`, `waiting` or `retrying`.
  std::string state_name() const;

  static inline const char* name = "group";
};

/// The container name of a run: `pincer-<group>-<epochms>`.
std::string container_name(const std::string& group, int64_t now);

/// A group actor for namespace `group`; rebuilds from `group/<name>`, and
/// records a run the server died in as failed.
group_actor::behavior_type group_behavior(group_actor::stateful_pointer<group_actor_state> self,
                                          std::string group, group_context ctx,
                                          queue_actor supervisor);

} // namespace pincer
