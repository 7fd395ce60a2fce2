#pragma once

// The pure parts of starting a group's container: names, mounts, env,
// limits, all read from the namespace object and the group's queue.

#include <chrono>
#include <string>
#include <vector>

#include "actors/group_actor.hpp"
#include "actors/runtime.hpp"

namespace pincer {

/// A run being prepared: the command lines, or why there is none.
struct prepared_run {
  std::string container_name;
  std::string image;
  std::string failure;   ///< Non-empty: the run cannot start.
  runtime_backend backend = runtime_backend::podman;
  runtime_info info;
  run_options options;
  std::vector<std::string> argv;
  std::vector<std::string> stop_argv;
};

/// The run's name, image, standard mounts (their host folders made) and env.
prepared_run prepare_run(const group_context& ctx, const group_state& g, const json& ns,
                         group_work w, const runtime_info& info, int64_t now);

/// Adds an extra mount the mount policy allowed (`POST /container/mount/validate` body).
void accept_mount(prepared_run& run, const json& decision);

/// Builds the run and stop command lines, or sets `failure`.
void finalize_run_args(prepared_run& run);

/// The namespace's `isMain`.
bool is_main(const json& ns);

/// The namespace's first chat JID, or empty.
std::string first_chat(const json& ns);

/// The namespace's `containerConfig.additionalMounts` (an array, maybe empty).
json additional_mounts(const json& ns);

/// How long a container may wait idle before `_close` (0: forever).
std::chrono::milliseconds idle_timeout(const json& ns, const queue_policy& policy);

/// The hard timeout from now: the task's or group's `timeoutSecs` (0: none);
/// while idle-waiting at least the idle timeout plus 30 s.
std::chrono::milliseconds hard_timeout(const group_state& g, const json& ns,
                                       const queue_policy& policy, bool idle_waiting);

/// The `pincer.owner` label value of a data folder: 16 hex digits of a
/// stable hash, so containers of other servers on the host are left alone.
std::string owner_label(const std::string& data_dir);

/// `TZ` for containers: the configured zone, else the server's `TZ`, else
/// `/etc/timezone`, else `UTC`.
std::string container_timezone(const std::string& configured);

/// Stops the containers named `pincer-...` with this owner label; returns
/// their names. Blocks: for start-up only.
std::vector<std::string> stop_orphans(process_runner& runner, const runtime_info& info,
                                      const std::string& owner);

} // namespace pincer
