#pragma once

// Every typed actor interface of pincer, with the atoms and message types
// they use. CAF 0.17 spellings stay in actors/.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/core.hpp"
#include "actors/process.hpp"
#include "actors/proxy_state.hpp"
#include "actors/queue_types.hpp"
#include "actors/runtime.hpp"
#include "actors/schedule_state.hpp"
#include "events/envelope.hpp"

namespace pincer {

// -- atoms --------------------------------------------------------------------

using append_atom = caf::atom_constant<caf::atom("append")>;
using notify_atom = caf::atom_constant<caf::atom("notify")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using instructions_atom = caf::atom_constant<caf::atom("instr")>;
using merge_atom = caf::atom_constant<caf::atom("merge")>;
using query_atom = caf::atom_constant<caf::atom("query")>;
using catch_up_atom = caf::atom_constant<caf::atom("catchup")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using text_atom = caf::atom_constant<caf::atom("text")>;
using allowlist_atom = caf::atom_constant<caf::atom("allowlist")>;
using validate_atom = caf::atom_constant<caf::atom("validate")>;
using runtime_atom = caf::atom_constant<caf::atom("runtime")>;
using probed_atom = caf::atom_constant<caf::atom("probed")>;
using detected_atom = caf::atom_constant<caf::atom("detected")>;
using build_atom = caf::atom_constant<caf::atom("build")>;
using built_atom = caf::atom_constant<caf::atom("built")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using inspected_atom = caf::atom_constant<caf::atom("inspected")>;
using enqueue_atom = caf::atom_constant<caf::atom("enqueue")>;
using port_atom = caf::atom_constant<caf::atom("port")>;
using env_atom = caf::atom_constant<caf::atom("env")>;

/// A piece of work a bridge actor runs as `(run_atom, bridge_job)` with itself
/// as `self`: lets plain threads make requests without blocking.
using bridge_job = std::function<void(caf::event_based_actor*)>;

// -- interfaces ---------------------------------------------------------------

/// The single writer of the event log (group commit).
using event_log_actor = caf::typed_actor<
  /// Appends one request; answers its stored records once they are durable.
  caf::replies_to<append_atom, append_request>::with<std::vector<record>>,
  /// Sends `(notify_atom, last_seq)` to the actor after every commit.
  caf::reacts_to<subscribe_atom, caf::actor>,
  /// Internal: writes every waiting append as one batch.
  caf::reacts_to<commit_atom>,
  /// Answers the last durable sequence number once earlier appends are done.
  caf::replies_to<caf::flush_atom>::with<uint64_t>>;

/// One namespace (or `global` instructions): the aggregate that decides.
using namespace_actor = caf::typed_actor<
  /// Creates it from a validated object (adopting a CLAUDE.md found on disk).
  caf::replies_to<create_atom, json, request_meta>::with<std::vector<envelope>>,
  /// Applies validated changes.
  caf::replies_to<update_atom, json, request_meta>::with<std::vector<envelope>>,
  /// Deletes it (`force` flag).
  caf::replies_to<caf::delete_atom, bool, request_meta>::with<std::vector<envelope>>,
  /// Replaces its instructions.
  caf::replies_to<instructions_atom, std::string, request_meta>::with<std::vector<envelope>>>;

/// The namespace directory: routes commands, answers reads from its index.
using directory_actor = caf::typed_actor<
  /// Every namespace.
  caf::replies_to<list_atom>::with<reply>,
  /// Every namespace, as JSON text only (`reply::text`, `body` null): the
  /// text is cached between changes, so reads cost no JSON work.
  caf::replies_to<list_atom, text_atom>::with<reply>,
  /// Creates a namespace from a POST body.
  caf::replies_to<create_atom, json, request_meta>::with<reply>,
  /// One namespace by name.
  caf::replies_to<caf::get_atom, std::string>::with<reply>,
  /// Merges a PUT body into a namespace.
  caf::replies_to<update_atom, std::string, json, request_meta>::with<reply>,
  /// Deletes a namespace (`force` flag).
  caf::replies_to<caf::delete_atom, std::string, bool, request_meta>::with<reply>,
  /// The instructions of a namespace or `global`.
  caf::replies_to<caf::get_atom, instructions_atom, std::string>::with<reply>,
  /// Replaces the instructions of a namespace or `global`.
  caf::replies_to<instructions_atom, std::string, json, request_meta>::with<reply>,
  /// The merged global + group instructions.
  caf::replies_to<merge_atom, json>::with<reply>>;

/// Runs a stored projection and answers queries on it.
using audit_actor = caf::typed_actor<
  /// New events exist up to the given sequence number.
  caf::reacts_to<notify_atom, uint64_t>,
  /// Answers an audit-log query (catching up first).
  caf::replies_to<query_atom, query_params>::with<reply>>;

/// The mount policy: owns the allowlist and validates every mount.
using mount_actor = caf::typed_actor<
  /// The allowlist (GET body).
  caf::replies_to<caf::get_atom, allowlist_atom>::with<reply>,
  /// Replaces the allowlist from a PUT body.
  caf::replies_to<allowlist_atom, json, request_meta>::with<reply>,
  /// Validates one mount from a POST body and records the attempt.
  caf::replies_to<validate_atom, json, request_meta>::with<reply>>;

/// The container runtime: detection, image builds and image status.
using runtime_actor = caf::typed_actor<
  /// The detected runtime; `true` detects again first.
  caf::replies_to<caf::get_atom, runtime_atom, bool>::with<reply>,
  /// Internal: the probe of the backend at this index of the order ended.
  caf::reacts_to<probed_atom, size_t, process_result>,
  /// Internal: detection ended with these facts.
  caf::reacts_to<detected_atom, runtime_info>,
  /// Builds an image from a POST body (joins a build of the same tag).
  caf::replies_to<build_atom, json, request_meta>::with<reply>,
  /// Internal: the build of a tag ended.
  caf::reacts_to<built_atom, std::string, request_meta, process_result>,
  /// The status of an image tag (empty: the default image).
  caf::replies_to<status_atom, std::string>::with<reply>,
  /// Internal: an image inspection ended.
  caf::reacts_to<inspected_atom, uint64_t, std::string, process_result>>;

/// The credential proxy: mappings, the listener and container variables.
using proxy_actor = caf::typed_actor<
  /// The status body.
  caf::replies_to<status_atom>::with<reply>,
  /// Starts the listener (no-op when it runs); answers the status body.
  caf::replies_to<caf::open_atom, request_meta>::with<reply>,
  /// Stops the listener (no-op when stopped); answers the status body.
  caf::replies_to<caf::close_atom, request_meta>::with<reply>,
  /// Sets the port from a PUT body, rebinding when running; the status body.
  caf::replies_to<port_atom, json, request_meta>::with<reply>,
  /// Adds a mapping from a POST body: 201 `{id, name, placeholder, proxyPath}`.
  caf::replies_to<caf::add_atom, json, request_meta>::with<reply>,
  /// Deletes a mapping and its data key: 204.
  caf::replies_to<caf::delete_atom, std::string, request_meta>::with<reply>,
  /// A container run's variables per mapping, for a container reaching the
  /// host at `gateway_host` (empty: the proxy's bind address, right for
  /// bridge networking); none when the proxy is stopped.
  caf::replies_to<env_atom, std::string>::with<env_pairs>>;

/// The queue supervisor: one container per group under a global limit.
using queue_actor = caf::typed_actor<
  /// Queues a message for a group: 202 `{"status": "queued", "messageId"}`;
  /// unknown group `not_found`.
  caf::replies_to<enqueue_atom, std::string, queued_message, request_meta>::with<reply>,
  /// Queues a task for a group: 202 `{"status": "queued" | "duplicate", "taskId"}`
  /// (`duplicate` when that task id is already running or queued).
  caf::replies_to<enqueue_atom, std::string, queued_task, request_meta>::with<reply>>;

// -- schedules ----------------------------------------------------------------

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using logs_atom = caf::atom_constant<caf::atom("logs")>;
using changed_atom = caf::atom_constant<caf::atom("changed")>;
using namespace_atom = caf::atom_constant<caf::atom("namespace")>;
using ipc_atom = caf::atom_constant<caf::atom("ipc")>;

/// One task schedule: decides, appends its events and fires on its own timer.
using schedule_actor = caf::typed_actor<
  /// Creates it from a validated object (group resolved); answers the new state.
  caf::replies_to<create_atom, json, request_meta>::with<schedule_snapshot>,
  /// Applies validated changes.
  caf::replies_to<update_atom, json, request_meta>::with<schedule_snapshot>,
  /// Deletes it for a reason (`api`, `ipc`, `namespace deleted`) and stops.
  caf::replies_to<caf::delete_atom, std::string, request_meta>::with<schedule_snapshot>,
  /// Internal: the timer of generation G expired.
  caf::reacts_to<tick_atom, uint64_t>>;

/// The schedule supervisor: spawns one `schedule_actor` per schedule (on
/// create and at start-up), routes commands and answers reads from its index.
using scheduler_actor = caf::typed_actor<
  /// `POST /container/schedules`.
  caf::replies_to<create_atom, json, request_meta>::with<reply>,
  /// `GET /container/schedules?group=`.
  caf::replies_to<list_atom, query_params>::with<reply>,
  /// `GET /container/schedules/{id}`.
  caf::replies_to<caf::get_atom, std::string>::with<reply>,
  /// `PUT /container/schedules/{id}`.
  caf::replies_to<update_atom, std::string, json, request_meta>::with<reply>,
  /// `DELETE /container/schedules/{id}`.
  caf::replies_to<caf::delete_atom, std::string, request_meta>::with<reply>,
  /// `GET /container/schedules/{id}/logs`.
  caf::replies_to<logs_atom, std::string, query_params>::with<reply>,
  /// An IPC task file (`schedule_task`, `pause_task`, `resume_task`,
  /// `cancel_task`, `update_task`) from a group's folder, with its main flag.
  caf::replies_to<ipc_atom, std::string, bool, json>::with<reply>,
  /// How many schedules point at a namespace: `{"count": n}`.
  caf::replies_to<caf::get_atom, namespace_atom, std::string>::with<reply>,
  /// Cancels every schedule of a namespace being deleted: `{"cancelled": n}`.
  caf::replies_to<caf::delete_atom, namespace_atom, std::string, request_meta>::with<reply>,
  /// Internal: a schedule changed on its own (it fired).
  caf::reacts_to<changed_atom, schedule_snapshot>>;

// -- error conversion ---------------------------------------------------------

/// Wraps a pincer error into a CAF error of category `pincer`.
caf::error to_caf(const error& e);

/// Unwraps a CAF error; request timeouts become `ec::timeout`, anything
/// foreign becomes `ec::internal` with CAF's rendering as message.
error from_caf(const caf::error& e);

} // namespace pincer

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::json)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::append_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<pincer::record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<pincer::envelope>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::request_meta)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::bridge_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::process_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::runtime_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::queued_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::queued_task)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::env_pairs)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::schedule_snapshot)
