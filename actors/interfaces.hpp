#pragma once

// Every typed actor interface of pincer, with the atoms and message types
// they use. CAF 0.17 spellings stay in actors/.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/channel_types.hpp"
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
using acquire_atom = caf::atom_constant<caf::atom("acquire")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using granted_atom = caf::atom_constant<caf::atom("granted")>;
using output_atom = caf::atom_constant<caf::atom("output")>;
using exited_atom = caf::atom_constant<caf::atom("exited")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using ipc_atom = caf::atom_constant<caf::atom("ipc")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using groups_atom = caf::atom_constant<caf::atom("groups")>;
using counts_atom = caf::atom_constant<caf::atom("counts")>;
using limit_atom = caf::atom_constant<caf::atom("limit")>;
using history_atom = caf::atom_constant<caf::atom("history")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;

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

/// Timeout of requests between actors on a write path (aggregate commands
/// and appends): none. The log answers every append in the commit that takes
/// it, and aggregates answer once their append is answered; the request at
/// the edge (HTTP, channel) keeps its own timeout. A timeout per hop would
/// cost a clock entry, a lock and a wake-up of the clock thread each time.
constexpr caf::infinite_t write_path_timeout = caf::infinite;

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
  /// The detected runtime facts (after any detection in progress).
  caf::replies_to<runtime_atom>::with<runtime_info>,
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

/// One container group's queue: pending work, its container, its IPC files.
/// Every command carries the namespace object as the directory has it now.
using group_actor = caf::typed_actor<
  /// A message: written into the running message container as a follow-up
  /// (202 `{"status": "delivered", "file"}`), else queued (`"queued"`).
  caf::replies_to<enqueue_atom, queued_message, json, request_meta>::with<reply>,
  /// A task: 202 `{"status": "queued" | "duplicate", "taskId"}`.
  caf::replies_to<enqueue_atom, queued_task, json, request_meta>::with<reply>,
  /// Writes `_close` for the running container: `{"closed": bool, ...}`.
  caf::replies_to<close_atom, json, request_meta>::with<reply>,
  /// Makes the group's IPC folders: 201 when something was made, else 200.
  caf::replies_to<ipc_atom, json, request_meta>::with<reply>,
  /// Before its namespace is deleted: see `queue_actor`.
  caf::replies_to<caf::delete_atom, bool, request_meta>::with<reply>,
  /// The queue entry of api.md §6.
  caf::replies_to<caf::get_atom>::with<json>,
  /// The namespace changed or the server started: refresh and run pending work.
  caf::reacts_to<update_atom, json>,
  /// IPC files are waiting in `messages/` or `tasks/`.
  caf::reacts_to<ipc_atom, json>,
  /// The scheduler, which takes the group's IPC schedule requests.
  caf::reacts_to<update_atom, caf::actor>,
  /// Internal: the supervisor granted a slot.
  caf::reacts_to<granted_atom>,
  /// Internal: a result block of launch N.
  caf::reacts_to<output_atom, uint64_t, json>,
  /// Internal: launch N ended.
  caf::reacts_to<exited_atom, uint64_t, process_result>,
  /// Internal: the hard timeout of launch N, generation G, expired.
  caf::reacts_to<timeout_atom, uint64_t, uint64_t>,
  /// Internal: the idle wait of launch N, generation G, expired.
  caf::reacts_to<idle_atom, uint64_t, uint64_t>,
  /// Internal: a retry delay ended.
  caf::reacts_to<retry_atom>>;

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

/// The queue supervisor: routes work to group actors and holds the global
/// container limit, granting slots in arrival order.
using queue_actor = caf::typed_actor<
  /// Queues a message for a group (see `group_actor`); unknown group `not_found`.
  caf::replies_to<enqueue_atom, std::string, queued_message, request_meta>::with<reply>,
  /// Queues a task for a group: 202 `{"status": "queued" | "duplicate", "taskId"}`
  /// (`duplicate` when that task id is already running or queued).
  caf::replies_to<enqueue_atom, std::string, queued_task, request_meta>::with<reply>,
  /// `POST /container/ipc/follow-up`.
  caf::replies_to<enqueue_atom, json, request_meta>::with<reply>,
  /// `POST /container/ipc/close`.
  caf::replies_to<close_atom, json, request_meta>::with<reply>,
  /// `POST /container/ipc/directories`.
  caf::replies_to<ipc_atom, json, request_meta>::with<reply>,
  /// `GET /container/queue/groups`.
  caf::replies_to<caf::get_atom, groups_atom>::with<reply>,
  /// `GET /container/queue/groups/{group}`.
  caf::replies_to<caf::get_atom, groups_atom, std::string>::with<reply>,
  /// `GET /container/queue/counts`.
  caf::replies_to<caf::get_atom, counts_atom>::with<reply>,
  /// `GET /container/queue/max-concurrent`.
  caf::replies_to<caf::get_atom, limit_atom>::with<reply>,
  /// `PUT /container/queue/max-concurrent`.
  caf::replies_to<limit_atom, json, request_meta>::with<reply>,
  /// Before a namespace is deleted: `conflict` when its container runs and
  /// `force` is false; with `force` the container is asked to close.
  caf::replies_to<caf::delete_atom, std::string, bool, request_meta>::with<reply>,
  /// IPC files are waiting for a group (from the watcher).
  caf::reacts_to<ipc_atom, std::string>,
  /// The scheduler, for the groups' IPC schedule requests.
  caf::reacts_to<update_atom, caf::actor>,
  /// Containers left by an earlier process are gone: slots may be granted.
  caf::reacts_to<ready_atom>,
  /// Internal: a group asks for a slot.
  caf::reacts_to<acquire_atom, std::string>,
  /// Internal: a group gives its slot back (or withdraws its request).
  caf::reacts_to<release_atom, std::string>,
  /// Internal: a group's queue entry changed.
  caf::reacts_to<status_atom, std::string, json>>;

// -- channels -----------------------------------------------------------------

using connect_atom = caf::atom_constant<caf::atom("connect")>;
using disconnect_atom = caf::atom_constant<caf::atom("disconnect")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;
using webhook_atom = caf::atom_constant<caf::atom("webhook")>;
using route_atom = caf::atom_constant<caf::atom("route")>;
using chan_tick_atom = caf::atom_constant<caf::atom("chtick")>;
using chan_io_atom = caf::atom_constant<caf::atom("chio")>;
using outbound_atom = caf::atom_constant<caf::atom("outbound")>;
using chats_atom = caf::atom_constant<caf::atom("chats")>;
using chan_view_atom = caf::atom_constant<caf::atom("chview")>;

/// One chat channel (Telegram, WhatsApp, ...): its connection, its durable
/// outbox and what its provider delivers.
using channel_actor = caf::typed_actor<
  /// The channel object of `GET /channels/{name}`.
  caf::replies_to<caf::get_atom>::with<reply>,
  /// Checks credentials with the provider without storing anything.
  caf::replies_to<validate_atom, json>::with<reply>,
  /// Validates, stores the sealed credentials and starts receiving.
  caf::replies_to<connect_atom, json, request_meta>::with<reply>,
  /// Stops receiving and forgets the credentials.
  caf::replies_to<disconnect_atom, request_meta>::with<reply>,
  /// Queues an outbound message durably; sends it in order.
  caf::replies_to<deliver_atom, outbound_request, request_meta>::with<reply>,
  /// A provider webhook request (checked by signature here).
  caf::replies_to<webhook_atom, raw_request>::with<reply>,
  /// Internal: a timer of kind K for connection generation G fired.
  caf::reacts_to<chan_tick_atom, int, uint64_t>>;

/// The channel hub: owns the channel actors, the sender allowlist, the
/// inbound routing rules and the outbound follower of the log.
using channels_actor = caf::typed_actor<
  /// `GET /channels`.
  caf::replies_to<list_atom>::with<reply>,
  /// `GET /channels/{name}`.
  caf::replies_to<caf::get_atom, std::string>::with<reply>,
  /// `validate` for a channel name.
  caf::replies_to<validate_atom, std::string, json>::with<reply>,
  /// `connect` for a channel name.
  caf::replies_to<connect_atom, std::string, json, request_meta>::with<reply>,
  /// `disconnect` for a channel name.
  caf::replies_to<disconnect_atom, std::string, request_meta>::with<reply>,
  /// `POST /channels/messages`.
  caf::replies_to<deliver_atom, json, request_meta>::with<reply>,
  /// A provider webhook for a channel name.
  caf::replies_to<webhook_atom, std::string, raw_request>::with<reply>,
  /// The sender allowlist.
  caf::replies_to<caf::get_atom, allowlist_atom>::with<reply>,
  /// Replaces the sender allowlist from a PUT body.
  caf::replies_to<allowlist_atom, json, request_meta>::with<reply>,
  /// `GET /channels/chats`.
  caf::replies_to<chats_atom, query_params>::with<reply>,
  /// `GET /channels/chats/{jid}/messages`.
  caf::replies_to<chats_atom, std::string, query_params>::with<reply>,
  /// Decides, per inbound message, whether to store and which group to run.
  caf::replies_to<route_atom, std::vector<inbound_message>>::with<std::vector<inbound_route>>,
  /// A channel's object changed.
  caf::reacts_to<chan_view_atom, std::string, json>,
  /// A reply from the log (run output or IPC) for a chat: `(seq, jid, text, source)`.
  caf::reacts_to<outbound_atom, uint64_t, std::string, std::string, std::string>>;

/// The chats-and-messages projection (follows the log from its checkpoint).
using chats_actor = caf::typed_actor<
  /// New events exist up to the given sequence number.
  caf::reacts_to<notify_atom, uint64_t>,
  /// The chat list, optionally for one channel.
  caf::replies_to<chats_atom, query_params>::with<reply>,
  /// One chat's messages, newest first, paginated.
  caf::replies_to<chats_atom, std::string, query_params>::with<reply>>;

// -- schedules ----------------------------------------------------------------

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using logs_atom = caf::atom_constant<caf::atom("logs")>;
using changed_atom = caf::atom_constant<caf::atom("changed")>;
using namespace_atom = caf::atom_constant<caf::atom("namespace")>;

/// One task schedule: decides, appends its events and fires its due slots.
using schedule_actor = caf::typed_actor<
  /// Creates it from a validated object (group resolved); answers the new state.
  caf::replies_to<create_atom, json, request_meta>::with<schedule_snapshot>,
  /// Applies validated changes.
  caf::replies_to<update_atom, json, request_meta>::with<schedule_snapshot>,
  /// Deletes it for a reason (`api`, `ipc`, `namespace deleted`) and stops.
  caf::replies_to<caf::delete_atom, std::string, request_meta>::with<schedule_snapshot>,
  /// Internal: its own timer for the slot at this time (epoch ms); a stale
  /// one is ignored, an early one re-armed.
  caf::reacts_to<tick_atom, uint64_t>>;

/// The schedule supervisor: spawns one `schedule_actor` per schedule (at its
/// first command or due slot), routes commands and answers reads from its index.
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
  caf::reacts_to<changed_atom, schedule_snapshot>,
  /// Internal: the timetable's wake-up; spawns the actors of the schedules
  /// whose slot is near.
  caf::reacts_to<tick_atom>>;

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
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::process_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::runtime_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::queued_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::queued_task)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::env_pairs)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::schedule_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::raw_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::outbound_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::io_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pincer::http_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<pincer::inbound_message>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<pincer::inbound_route>)
