#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/group_state.hpp"
#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Who is calling and as part of which request; recorded in every event.
struct request_meta {
  std::string actor;      ///< `key:<8 hex>` or `anonymous`.
  std::string request_id; ///< The request's `X-Request-Id`.
};

/// A successful API answer: status plus JSON body (`null` for 204).
struct reply {
  reply() = default;
  reply(int status_code, json json_body, std::shared_ptr<const std::string> json_text = nullptr)
    : status(status_code), body(std::move(json_body)), text(std::move(json_text)) {
  }

  int status = 200;
  json body;
  /// The body as JSON text, shared with a cache. When set, it is the answer
  /// and `body` may be null (`list_namespaces` answers this way).
  std::shared_ptr<const std::string> text;
  /// The media type of `text`; empty means `application/json`.
  std::string content_type;
};

/// A request handed over undecoded (provider webhooks, which sign the raw
/// bytes of the body).
struct raw_request {
  std::string method;                        ///< `GET`, `POST`.
  std::map<std::string, std::string> query;  ///< URL-decoded query parameters.
  std::map<std::string, std::string> headers; ///< Lower-case names.
  std::string body;                          ///< The raw body bytes.
};

/// Receives the answer to an API call, exactly once, on some actor thread.
using reply_handler = std::function<void(result<reply>)>;

/// Receives batches of live events (as envelope JSON); returns false to end
/// the subscription.
using event_sink = std::function<bool(const std::vector<json>&)>;

/// Query-string parameters of a request.
using query_params = std::map<std::string, std::string>;

/// Server settings shared by the actor layer.
struct core_config {
  std::string data_dir = "./data";
  bool sync = true;                      ///< `--durability fsync`.
  std::string assistant_name = "Andy";
  std::chrono::milliseconds request_timeout{10000};
  bool in_memory = false;                ///< Tests: memory store, no RocksDB.
  std::string runtime = "auto";          ///< `auto|docker|podman|apple_container`.
  std::string agent_image = "pincer-agent:latest";
  std::string image_context;             ///< Folder with the agent image definition.
  std::string image_file = "Dockerfile"; ///< Relative to the context, or absolute.
  std::chrono::milliseconds build_timeout{30 * 60 * 1000};
  std::vector<std::string> protected_paths; ///< Never mountable, besides the data folder.
  queue_policy queue;                    ///< Retry delays and default timeouts.
  std::string timezone;                  ///< `TZ` for containers; empty: the server's, else UTC.
  bool instant_runs = false;             ///< Benchmarks: containers answer at once, no runtime.
  /// Provider base URL per channel name; a missing one is the provider's own.
  std::map<std::string, std::string> channel_base_urls;
  /// Credential proxy bind address; empty: the container bridge, else 127.0.0.1.
  std::string proxy_host;
  /// Credential proxy port until `PUT .../credential-proxy/port` sets one (0: any free).
  uint16_t proxy_port = 3001;
};

/// The actor system and every actor of pincer, behind a plain C++ facade so
/// that the HTTP layer never touches CAF. Every method returns at once and
/// answers through its handler.
class core {
public:
  /// Opens the store, spawns the actors and rebuilds their state.
  static result<std::unique_ptr<core>> start(core_config cfg);

  virtual ~core() = default;

  /// Stops accepting work, drains the event-log writer and stops actors.
  virtual void shutdown() = 0;

  // -- introspection ----------------------------------------------------------

  /// `GET /health`.
  virtual void health(reply_handler done) = 0;

  /// `GET /events`: raw envelopes after `after`, at most `limit`, filtered by
  /// stream prefix.
  virtual void events(const query_params& q, reply_handler done) = 0;

  /// Live tail from `after`: the sink gets every later event in order until
  /// it returns false or `unsubscribe` is called. Returns a subscription id.
  virtual uint64_t subscribe(uint64_t after, event_sink sink) = 0;

  /// Ends a subscription.
  virtual void unsubscribe(uint64_t id) = 0;

  // -- namespaces and instructions -------------------------------------------

  virtual void list_namespaces(reply_handler done) = 0;
  virtual void create_namespace(json body, request_meta meta, reply_handler done) = 0;
  virtual void get_namespace(std::string name, reply_handler done) = 0;
  virtual void update_namespace(std::string name, json body, request_meta meta,
                                reply_handler done) = 0;
  virtual void delete_namespace(std::string name, bool force, request_meta meta,
                                reply_handler done) = 0;
  /// `name` is a namespace or `global`.
  virtual void get_instructions(std::string name, reply_handler done) = 0;
  virtual void put_instructions(std::string name, json body, request_meta meta,
                                reply_handler done) = 0;
  virtual void merge_instructions(json body, reply_handler done) = 0;

  // -- container runtime, image and mounts -----------------------------------

  /// `GET /container/runtime`; `refresh` detects again first.
  virtual void runtime(bool refresh, reply_handler done) = 0;
  /// `POST /container/image/build`; answers when the build ends.
  virtual void build_image(json body, request_meta meta, reply_handler done) = 0;
  /// `GET /container/image/status`; an empty tag means the agent image.
  virtual void image_status(std::string tag, reply_handler done) = 0;
  virtual void mount_allowlist(reply_handler done) = 0;
  virtual void set_mount_allowlist(json body, request_meta meta, reply_handler done) = 0;
  virtual void validate_mount(json body, request_meta meta, reply_handler done) = 0;

  // -- queue, runs and IPC ----------------------------------------------------

  /// `POST /container/ipc/directories`.
  virtual void ipc_directories(json body, request_meta meta, reply_handler done) = 0;
  /// `POST /container/ipc/follow-up`.
  virtual void follow_up(json body, request_meta meta, reply_handler done) = 0;
  /// `POST /container/ipc/close`.
  virtual void close_container(json body, request_meta meta, reply_handler done) = 0;
  /// Queues a task for a group (what schedules do), for embedding and benchmarks.
  virtual void enqueue_task(std::string group, queued_task task, request_meta meta,
                            reply_handler done) = 0;
  /// `GET /container/queue/groups`.
  virtual void queue_groups(reply_handler done) = 0;
  /// `GET /container/queue/groups/{group}`.
  virtual void queue_group(std::string name, reply_handler done) = 0;
  /// `GET /container/queue/counts`.
  virtual void queue_counts(reply_handler done) = 0;
  /// `GET /container/queue/max-concurrent`.
  virtual void max_concurrent(reply_handler done) = 0;
  /// `PUT /container/queue/max-concurrent`.
  virtual void set_max_concurrent(json body, request_meta meta, reply_handler done) = 0;

  // -- monitoring -------------------------------------------------------------

  /// `GET /container/run-history` with its query parameters.
  virtual void run_history(const query_params& q, reply_handler done) = 0;

  /// `GET /container/audit-log` with its query parameters.
  virtual void audit_log(const query_params& q, reply_handler done) = 0;

  /// `GET /container/metrics`.
  virtual void metrics(reply_handler done) = 0;

  /// `GET /metrics`: the Prometheus text exposition (`text/plain`).
  virtual void prometheus(reply_handler done) = 0;

  /// `GET /container/analytics` with its query parameters.
  virtual void analytics(const query_params& q, reply_handler done) = 0;

  /// Notes one answered HTTP request: its status and how long it took.
  /// Returns at once.
  virtual void record_request(int status, int64_t micros) = 0;

  // -- task schedules ---------------------------------------------------------

  /// `GET /container/schedules?group=`.
  virtual void list_schedules(const query_params& q, reply_handler done) = 0;
  /// `POST /container/schedules`.
  virtual void create_schedule(json body, request_meta meta, reply_handler done) = 0;
  /// `GET /container/schedules/{id}`.
  virtual void get_schedule(std::string id, reply_handler done) = 0;
  /// `PUT /container/schedules/{id}`.
  virtual void update_schedule(std::string id, json body, request_meta meta,
                               reply_handler done) = 0;
  /// `DELETE /container/schedules/{id}`.
  virtual void delete_schedule(std::string id, request_meta meta, reply_handler done) = 0;
  /// `GET /container/schedules/{id}/logs`.
  virtual void schedule_logs(std::string id, const query_params& q, reply_handler done) = 0;

  // -- credential proxy -------------------------------------------------------

  /// `GET /container/credential-proxy/status`.
  virtual void proxy_status(reply_handler done) = 0;
  /// `POST /container/credential-proxy/start`.
  virtual void start_proxy(request_meta meta, reply_handler done) = 0;
  /// `POST /container/credential-proxy/stop`.
  virtual void stop_proxy(request_meta meta, reply_handler done) = 0;
  /// `PUT /container/credential-proxy/port`.
  virtual void set_proxy_port(json body, request_meta meta, reply_handler done) = 0;
  /// `POST /container/credential-proxy/mappings`.
  virtual void add_proxy_mapping(json body, request_meta meta, reply_handler done) = 0;
  /// `DELETE /container/credential-proxy/mappings/{id}`.
  virtual void delete_proxy_mapping(std::string id, request_meta meta, reply_handler done) = 0;

  // -- channels ---------------------------------------------------------------

  /// `GET /channels`.
  virtual void channels(reply_handler done) = 0;
  /// `GET /channels/{name}`.
  virtual void channel(std::string name, reply_handler done) = 0;
  /// `POST /channels/{name}/validate|connect|disconnect` (`command`).
  virtual void channel_command(std::string name, std::string command, json body,
                               request_meta meta, reply_handler done) = 0;
  /// `POST /channels/messages`.
  virtual void send_channel_message(json body, request_meta meta, reply_handler done) = 0;
  /// `GET /channels/chats`.
  virtual void chats(const query_params& q, reply_handler done) = 0;
  /// `GET /channels/chats/{jid}/messages`.
  virtual void chat_messages(std::string jid, const query_params& q, reply_handler done) = 0;
  /// `GET /channels/sender-allowlist`.
  virtual void sender_allowlist(reply_handler done) = 0;
  /// `PUT /channels/sender-allowlist`.
  virtual void set_sender_allowlist(json body, request_meta meta, reply_handler done) = 0;
  /// A provider webhook (`/channels/{name}/webhook`), signature-authenticated.
  virtual void channel_webhook(std::string name, raw_request req, reply_handler done) = 0;
};

} // namespace pincer
