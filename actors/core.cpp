#include "actors/core.hpp"

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "actors/analytics_actor.hpp"
#include "actors/audit_actor.hpp"
#include "actors/bridge.hpp"
#include "actors/channel_hub.hpp"
#include "actors/core_setup.hpp"
#include "actors/directory.hpp"
#include "actors/group_run.hpp"
#include "actors/ipc_watcher.hpp"
#include "actors/queue_supervisor.hpp"
#include "actors/event_log.hpp"
#include "actors/monitoring.hpp"
#include "actors/mount_actor.hpp"
#include "actors/proxy_actor.hpp"
#include "actors/runtime_actor.hpp"
#include "actors/server_projections.hpp"
#include "actors/cron.hpp"
#include "actors/scheduler.hpp"
#include "actors/workspace.hpp"
#include "actors/tail.hpp"
#include "events/queue_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr size_t bridge_count = 2;

class core_impl : public core {
public:
  core_impl(core_config cfg, std::shared_ptr<event_store> store, std::string master_key)
    : cfg_(std::move(cfg)), system_(system_cfg_), store_(std::move(store)),
      secrets_(std::make_shared<secret_box>(store_, std::move(master_key))) {
    started_at_ = now_ms();
    log_ = spawn_event_log(system_, store_, true);
    namespace_context ctx{store_, log_, cfg_.data_dir};
    directory_ = system_.spawn(pincer::directory, ctx, cfg_.assistant_name);
    wait_until_ready(directory_, list_atom::value);
    workspace_ = spawn_workspace(system_, store_, log_, cfg_.data_dir, true);
    mounts_ = system_.spawn(mount_policy, store_, log_, directory_, mount_context_from(cfg_));
    runtime_ = system_.spawn(runtime_behavior, runtime_settings_from(cfg_), runner_, store_, log_);
    proxy_ = system_.spawn(credential_proxy, store_, log_, secrets_,
                           proxy_settings{cfg_.proxy_host, cfg_.proxy_port});
    // The schedules are rebuilt from the log on a thread of their own while
    // this one brings every projection up to date in one pass over it; each
    // projection's runner then starts at the end of the log.
    auto schedules = std::async(std::launch::async,
                                [store = store_] { return load_schedules(*store); });
    if (auto caught_up = catch_up_server_projections(*store_, cfg_.assistant_name); !caught_up)
      spdlog::error("projections: {}", caught_up.err().message);
    audit_ = spawn_audit_log(system_, store_);
    caf::anon_send(log_, subscribe_atom::value, caf::actor_cast<caf::actor>(audit_));
    history_ = spawn_run_history(system_, store_);
    caf::anon_send(log_, subscribe_atom::value, caf::actor_cast<caf::actor>(history_));
    analytics_ = spawn_analytics(system_, store_);
    caf::anon_send(log_, subscribe_atom::value, caf::actor_cast<caf::actor>(analytics_));
    start_queue();
    start_scheduler(schedules.get());
    for (size_t i = 0; i < bridge_count; ++i)
      bridges_.push_back(system_.spawn(bridge));
    start_channels();
    // Detection runs the runtime's CLI, which would slow the start-up down.
    caf::anon_send(runtime_, caf::get_atom::value, runtime_atom::value, true);
  }

  ~core_impl() override {
    shutdown();
  }

  void shutdown() override {
    if (stopped_.exchange(true))
      return;
    {
      caf::scoped_actor self{system_};
      self->request(log_, std::chrono::seconds{30}, caf::flush_atom::value)
        .receive([](uint64_t seq) { spdlog::info("event log flushed at seq {}", seq); },
                 [](caf::error& err) {
                   spdlog::error("event log flush failed: {}", caf::to_string(err));
                 });
    }
    if (watcher_)
      watcher_->stop();
    if (orphans_.joinable())
      orphans_.join();
    std::lock_guard<std::mutex> guard{subs_mutex_};
    for (auto& [id, tail] : subs_)
      caf::anon_send_exit(tail, caf::exit_reason::user_shutdown);
    subs_.clear();
    for (auto& b : bridges_)
      caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(directory_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(workspace_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(mounts_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(runtime_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(proxy_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(audit_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(channels_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(history_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(analytics_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(scheduler_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(queue_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(log_, caf::exit_reason::user_shutdown);
  }

  // -- introspection ----------------------------------------------------------

  void health(reply_handler done) override {
    done(reply{200, json{{"status", "ok"},
                         {"version", PINCER_VERSION},
                         {"uptimeSecs", (now_ms() - started_at_) / 1000},
                         {"lastEventSeq", store_->last_seq()}}});
  }

  void events(const query_params& q, reply_handler done) override {
    auto after = parse_u64(q, "after", 0);
    auto limit = parse_limit(q);
    if (!after || !limit)
      return done(!after ? after.err() : limit.err());
    std::string prefix = q.count("stream") ? q.at("stream") : "";
    run([store = store_, after = *after, limit = *limit, prefix, done](auto*) {
      done(read_events_page(*store, after, limit, prefix));
    });
  }

  uint64_t subscribe(uint64_t after, event_sink sink) override {
    std::lock_guard<std::mutex> guard{subs_mutex_};
    auto id = ++next_sub_;
    subs_.emplace(id, spawn_tail(system_, store_, log_, after, std::move(sink)));
    return id;
  }

  void unsubscribe(uint64_t id) override {
    std::lock_guard<std::mutex> guard{subs_mutex_};
    if (auto i = subs_.find(id); i != subs_.end()) {
      caf::anon_send_exit(i->second, caf::exit_reason::user_shutdown);
      subs_.erase(i);
    }
  }

  // -- namespaces -------------------------------------------------------------

  void list_namespaces(reply_handler done) override {
    ask(directory_, std::move(done), list_atom::value, text_atom::value);
  }

  void create_namespace(json body, request_meta meta, reply_handler done) override {
    ask(directory_, std::move(done), create_atom::value, std::move(body), std::move(meta));
  }

  void get_namespace(std::string name, reply_handler done) override {
    ask(directory_, std::move(done), caf::get_atom::value, std::move(name));
  }

  void update_namespace(std::string name, json body, request_meta meta,
                        reply_handler done) override {
    ask(directory_, std::move(done), update_atom::value, std::move(name), std::move(body),
        std::move(meta));
  }

  void delete_namespace(std::string name, bool force, request_meta meta,
                        reply_handler done) override {
    delete_namespace_with_schedules(std::move(name), force, std::move(meta), std::move(done));
  }

  void get_instructions(std::string name, reply_handler done) override {
    ask(directory_, std::move(done), caf::get_atom::value, instructions_atom::value,
        std::move(name));
  }

  void put_instructions(std::string name, json body, request_meta meta,
                        reply_handler done) override {
    ask(directory_, std::move(done), instructions_atom::value, std::move(name),
        std::move(body), std::move(meta));
  }

  void merge_instructions(json body, reply_handler done) override {
    ask(directory_, std::move(done), merge_atom::value, std::move(body));
  }

  // -- container runtime, image and mounts -----------------------------------

  void runtime(bool refresh, reply_handler done) override {
    ask(runtime_, std::move(done), caf::get_atom::value, runtime_atom::value, refresh);
  }

  void build_image(json body, request_meta meta, reply_handler done) override {
    ask_within(cfg_.build_timeout + std::chrono::minutes{1}, runtime_, std::move(done),
               build_atom::value, std::move(body), std::move(meta));
  }

  void image_status(std::string tag, reply_handler done) override {
    ask(runtime_, std::move(done), status_atom::value, std::move(tag));
  }

  void mount_allowlist(reply_handler done) override {
    ask(mounts_, std::move(done), caf::get_atom::value, allowlist_atom::value);
  }

  void set_mount_allowlist(json body, request_meta meta, reply_handler done) override {
    ask(mounts_, std::move(done), allowlist_atom::value, std::move(body), std::move(meta));
  }

  void validate_mount(json body, request_meta meta, reply_handler done) override {
    ask(mounts_, std::move(done), validate_atom::value, std::move(body), std::move(meta));
  }

  void audit_log(const query_params& q, reply_handler done) override {
    ask(audit_, std::move(done), query_atom::value, q);
  }

  // -- task schedules ---------------------------------------------------------

  void list_schedules(const query_params& q, reply_handler done) override {
    ask(scheduler_, std::move(done), list_atom::value, q);
  }

  void create_schedule(json body, request_meta meta, reply_handler done) override {
    ask(scheduler_, std::move(done), create_atom::value, std::move(body), std::move(meta));
  }

  void get_schedule(std::string id, reply_handler done) override {
    ask(scheduler_, std::move(done), caf::get_atom::value, std::move(id));
  }

  void update_schedule(std::string id, json body, request_meta meta,
                       reply_handler done) override {
    ask(scheduler_, std::move(done), update_atom::value, std::move(id), std::move(body),
        std::move(meta));
  }

  void delete_schedule(std::string id, request_meta meta, reply_handler done) override {
    ask(scheduler_, std::move(done), caf::delete_atom::value, std::move(id), std::move(meta));
  }

  void schedule_logs(std::string id, const query_params& q, reply_handler done) override {
    ask(scheduler_, std::move(done), logs_atom::value, std::move(id), q);
  }

  // -- credential proxy -------------------------------------------------------

  void proxy_status(reply_handler done) override {
    ask(proxy_, std::move(done), status_atom::value);
  }

  void start_proxy(request_meta meta, reply_handler done) override {
    ask(proxy_, std::move(done), caf::open_atom::value, std::move(meta));
  }

  void stop_proxy(request_meta meta, reply_handler done) override {
    ask(proxy_, std::move(done), caf::close_atom::value, std::move(meta));
  }

  void set_proxy_port(json body, request_meta meta, reply_handler done) override {
    ask(proxy_, std::move(done), port_atom::value, std::move(body), std::move(meta));
  }

  void add_proxy_mapping(json body, request_meta meta, reply_handler done) override {
    ask(proxy_, std::move(done), caf::add_atom::value, std::move(body), std::move(meta));
  }

  void delete_proxy_mapping(std::string id, request_meta meta, reply_handler done) override {
    ask(proxy_, std::move(done), caf::delete_atom::value, std::move(id), std::move(meta));
  }

  // -- queue, runs and IPC ----------------------------------------------------

  void ipc_directories(json body, request_meta meta, reply_handler done) override {
    ask(queue_, std::move(done), ipc_atom::value, std::move(body), std::move(meta));
  }

  void follow_up(json body, request_meta meta, reply_handler done) override {
    ask(queue_, std::move(done), enqueue_atom::value, std::move(body), std::move(meta));
  }

  void close_container(json body, request_meta meta, reply_handler done) override {
    ask(queue_, std::move(done), close_atom::value, std::move(body), std::move(meta));
  }

  void enqueue_task(std::string group, queued_task task, request_meta meta,
                    reply_handler done) override {
    ask(queue_, std::move(done), enqueue_atom::value, std::move(group), std::move(task),
        std::move(meta));
  }

  void queue_groups(reply_handler done) override {
    ask(queue_, std::move(done), caf::get_atom::value, groups_atom::value);
  }

  void queue_group(std::string name, reply_handler done) override {
    ask(queue_, std::move(done), caf::get_atom::value, groups_atom::value, std::move(name));
  }

  void queue_counts(reply_handler done) override {
    ask(queue_, std::move(done), caf::get_atom::value, counts_atom::value);
  }

  void max_concurrent(reply_handler done) override {
    ask(queue_, std::move(done), caf::get_atom::value, limit_atom::value);
  }

  void set_max_concurrent(json body, request_meta meta, reply_handler done) override {
    ask(queue_, std::move(done), limit_atom::value, std::move(body), std::move(meta));
  }

  void run_history(const query_params& q, reply_handler done) override {
    ask(history_, std::move(done), query_atom::value, q);
  }

  // -- monitoring -------------------------------------------------------------

  void metrics(reply_handler done) override {
    gather([done](metrics_snapshot s) { done(reply{200, metrics_json(s)}); });
  }

  void prometheus(reply_handler done) override {
    gather([done](metrics_snapshot s) {
      reply r{200, nullptr, std::make_shared<const std::string>(metrics_prometheus(s))};
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      done(std::move(r));
    });
  }

  void analytics(const query_params& q, reply_handler done) override {
    ask(analytics_, std::move(done), query_atom::value, q);
  }

  void record_request(int status, int64_t micros) override {
    http_stats_.record(status, micros);
  }

  /// Collects a metrics snapshot from the actors and the live counters.
  void gather(std::function<void(metrics_snapshot)> then) {
    metrics_sources src;
    src.queue = [this](reply_handler h) { queue_counts(std::move(h)); };
    src.channels = [this](reply_handler h) { channels(std::move(h)); };
    src.proxy = [this](reply_handler h) { proxy_status(std::move(h)); };
    src.totals = [this](reply_handler h) {
      ask(analytics_, std::move(h), query_atom::value, query_params{{"view", "totals"}});
    };
    auto uptime = (now_ms() - started_at_) / 1000;
    auto http = http_stats_.read();
    auto last = store_->last_seq();
    gather_metrics(src, [then, uptime, http, last](metrics_snapshot s) {
      s.uptime_secs = uptime;
      s.http = http;
      s.last_seq = std::max(s.last_seq, last);
      then(std::move(s));
    });
  }

  // -- channels ---------------------------------------------------------------

  void channels(reply_handler done) override {
    ask(channels_, std::move(done), list_atom::value);
  }

  void channel(std::string name, reply_handler done) override {
    ask(channels_, std::move(done), caf::get_atom::value, std::move(name));
  }

  void channel_command(std::string name, std::string command, json body, request_meta meta,
                      reply_handler done) override {
    auto within = cfg_.request_timeout + std::chrono::seconds{20}; // provider round trips
    if (command == "validate")
      ask_within(within, channels_, std::move(done), validate_atom::value, std::move(name),
                 std::move(body));
    else if (command == "connect")
      ask_within(within, channels_, std::move(done), connect_atom::value, std::move(name),
                 std::move(body), std::move(meta));
    else
      ask(channels_, std::move(done), disconnect_atom::value, std::move(name), std::move(meta));
  }

  void send_channel_message(json body, request_meta meta, reply_handler done) override {
    ask_within(cfg_.request_timeout + std::chrono::seconds{20}, channels_, std::move(done),
               deliver_atom::value, std::move(body), std::move(meta));
  }

  void chats(const query_params& q, reply_handler done) override {
    ask(channels_, std::move(done), chats_atom::value, q);
  }

  void chat_messages(std::string jid, const query_params& q, reply_handler done) override {
    ask(channels_, std::move(done), chats_atom::value, std::move(jid), q);
  }

  void sender_allowlist(reply_handler done) override {
    ask(channels_, std::move(done), caf::get_atom::value, allowlist_atom::value);
  }

  void set_sender_allowlist(json body, request_meta meta, reply_handler done) override {
    ask(channels_, std::move(done), allowlist_atom::value, std::move(body), std::move(meta));
  }

  void channel_webhook(std::string name, raw_request req, reply_handler done) override {
    ask(channels_, std::move(done), webhook_atom::value, std::move(name), std::move(req));
  }

private:
  /// Spawns the channel hub, which spawns every channel and resumes the
  /// connections the log says are open.
  void start_channels() {
    channel_context ctx;
    ctx.store = store_;
    ctx.log = log_;
    ctx.directory = directory_;
    ctx.queue = queue_;
    ctx.vault = secrets_;
    ctx.assistant_name = cfg_.assistant_name;
    ctx.base_urls = cfg_.channel_base_urls;
    channels_ = system_.spawn(channels_behavior, std::move(ctx));
  }

  /// Spawns the schedule supervisor with the schedules rebuilt from the log;
  /// returns once it has filed them and armed its wake-up.
  void start_scheduler(result<std::vector<schedule_snapshot>> loaded) {
    if (!loaded)
      spdlog::error("cannot rebuild the schedules: {}", loaded.err().message);
    auto ctx = std::make_shared<schedule_context>();
    ctx->store = store_;
    ctx->log = log_;
    ctx->queue = queue_;
    ctx->clock = now_ms;
    auto zone = !cfg_.timezone.empty() && find_time_zone(cfg_.timezone) ? cfg_.timezone
                                                                        : default_time_zone();
    scheduler_ = system_.spawn(scheduler, std::shared_ptr<const schedule_context>{ctx},
                               directory_, zone,
                               loaded ? std::move(*loaded) : std::vector<schedule_snapshot>{});
    wait_until_ready(scheduler_, caf::get_atom::value, namespace_atom::value, std::string{});
    caf::anon_send(queue_, update_atom::value, caf::actor_cast<caf::actor>(scheduler_));
  }

  /// A namespace with a running container or with schedules is deleted only
  /// with `force`, which closes the container first and cancels its
  /// schedules after the namespace is gone.
  void delete_namespace_with_schedules(std::string name, bool force, request_meta meta,
                                       reply_handler done) {
    auto timeout = cfg_.request_timeout;
    run([=, directory = directory_, scheduler = scheduler_,
         queue = queue_](caf::event_based_actor* self) {
      auto fail = [done](caf::error& err) { done(from_caf(err)); };
      self->request(queue, timeout, caf::delete_atom::value, name, force, meta)
        .then([=](reply&) {
      self->request(scheduler, timeout, caf::get_atom::value, namespace_atom::value, name)
        .then(
          [=](reply& count) {
            auto n = count.body.value("count", 0);
            if (n > 0 && !force)
              return done(error{ec::conflict, "namespace " + name + " has " + std::to_string(n)
                                                + " schedules; delete them or use force=true"});
            self->request(directory, timeout, caf::delete_atom::value, name, force, meta)
              .then(
                [=](reply& deleted) {
                  if (n == 0)
                    return done(std::move(deleted));
                  self->request(scheduler, timeout, caf::delete_atom::value,
                                namespace_atom::value, name, meta)
                    .then([=](reply&) { done(deleted); }, fail);
                },
                fail);
          },
          fail);
        }, fail);
    });
  }

  /// Spawns the queue, stops containers an earlier process left (on a
  /// thread of its own; the queue starts no run before that) and starts
  /// watching the IPC folders.
  void start_queue() {
    group_context ctx;
    ctx.store = store_;
    ctx.log = log_;
    ctx.directory = directory_;
    ctx.mounts = mounts_;
    ctx.runtime = runtime_;
    ctx.proxy = proxy_;
    ctx.data_dir = std::filesystem::absolute(cfg_.data_dir).lexically_normal().string();
    ctx.owner = owner_label(ctx.data_dir);
    ctx.assistant_name = cfg_.assistant_name;
    ctx.default_image = cfg_.agent_image;
    ctx.tz = container_timezone(cfg_.timezone);
    ctx.policy = cfg_.queue;
    ctx.clock = now_ms;
    ctx.launcher = cfg_.instant_runs ? make_instant_launcher() : make_cli_launcher(runner_);
    // Containers of ours can exist only when some group ever ran.
    bool orphans_possible = !cfg_.instant_runs && !store_->streams(group_stream("")).empty();
    queue_ = system_.spawn(queue_supervisor, ctx, history_, orphans_possible);
    if (orphans_possible) {
      // Runs wait until the old containers are gone; requests are served meanwhile.
      orphans_ = std::thread{[this, owner = ctx.owner] {
        stop_orphan_containers(system_, runtime_, *runner_, log_, owner);
        caf::anon_send(queue_, ready_atom::value);
      }};
    }
    auto ipc_root = std::filesystem::path{ctx.data_dir} / "ipc";
    watcher_ = std::make_unique<ipc_watcher>(ipc_root, [queue = queue_](const std::string& group) {
      caf::anon_send(queue, ipc_atom::value, group);
    });
    if (auto ok = watcher_->start(); !ok)
      spdlog::error("cannot watch {}: {}", ipc_root.string(), ok.err().message);
  }

  /// Blocks until the actor has rebuilt its state and answers `xs`, so the
  /// server only reports itself ready once files on disk are restored.
  template <class Handle, class... Ts>
  void wait_until_ready(const Handle& h, Ts... xs) {
    caf::scoped_actor self{system_};
    self->request(h, std::chrono::seconds{60}, xs...)
      .receive([](reply&) {},
               [](caf::error& err) { spdlog::error("start-up: {}", caf::to_string(err)); });
  }

  template <class F>
  void run(F f) {
    auto& b = bridges_[next_bridge_++ % bridges_.size()];
    caf::anon_send(b, run_atom::value, bridge_job{[f](bridge_ptr self) { f(self); }});
  }

  template <class Handle, class... Ts>
  void ask(const Handle& target, reply_handler done, Ts... xs) {
    ask_within(cfg_.request_timeout, target, std::move(done), std::move(xs)...);
  }

  template <class Handle, class... Ts>
  void ask_within(std::chrono::milliseconds timeout, const Handle& target, reply_handler done,
                  Ts... xs) {
    run([=](bridge_ptr self) { ask_from(self, timeout, target, done, xs...); });
  }

  core_config cfg_;
  caf::actor_system_config system_cfg_;
  caf::actor_system system_;
  std::shared_ptr<event_store> store_;
  event_log_actor log_;
  directory_actor directory_;
  audit_actor audit_;
  audit_actor history_;
  audit_actor analytics_;
  http_stats http_stats_;
  queue_actor queue_;
  scheduler_actor scheduler_;
  channels_actor channels_;
  std::unique_ptr<ipc_watcher> watcher_;
  std::thread orphans_;
  caf::actor workspace_;
  mount_actor mounts_;
  std::shared_ptr<secret_box> secrets_;
  proxy_actor proxy_;
  std::shared_ptr<process_runner> runner_ = std::make_shared<process_runner>();
  runtime_actor runtime_;
  std::vector<caf::actor> bridges_;
  std::atomic<size_t> next_bridge_{0};
  std::atomic<bool> stopped_{false};
  int64_t started_at_ = 0;
  std::mutex subs_mutex_;
  std::map<uint64_t, caf::actor> subs_;
  uint64_t next_sub_ = 0;
};

} // namespace

result<std::unique_ptr<core>> core::start(core_config cfg) {
  std::shared_ptr<event_store> store;
  if (cfg.in_memory) {
    store = make_memory_store();
  } else {
    auto dir = (std::filesystem::path{cfg.data_dir} / "events").string();
    auto opened = open_rocksdb_store(dir, rocksdb_options{cfg.sync, false});
    if (!opened)
      return opened.err();
    store = std::move(*opened);
  }
  auto master_key = load_master_key(cfg.data_dir);
  if (!master_key)
    return master_key.err();
  return std::unique_ptr<core>{
    new core_impl(std::move(cfg), std::move(store), std::move(*master_key))};
}

} // namespace pincer
