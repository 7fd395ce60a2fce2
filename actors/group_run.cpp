#include "actors/group_run.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

#include "actors/ipc_files.hpp"
#include "events/json_text.hpp"
#include "storage/files.hpp"

namespace pincer {

namespace {

namespace fs = std::filesystem;

const json& config(const json& ns) {
  static const json empty = json::object();
  auto i = ns.find("containerConfig");
  return i != ns.end() && i->is_object() ? *i : empty;
}

int64_t config_secs(const json& ns, const char* key, int64_t fallback) {
  auto& c = config(ns);
  auto i = c.find(key);
  return i != c.end() && i->is_number_integer() ? i->get<int64_t>() : fallback;
}

/// Makes a folder for a mount; false (logged) when it cannot.
bool ensure_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    spdlog::error("cannot create {}: {}", dir.string(), ec.message());
  return !ec;
}

} // namespace

bool is_main(const json& ns) {
  return ns.value("isMain", false);
}

std::string first_chat(const json& ns) {
  auto i = ns.find("chatJids");
  if (i == ns.end() || !i->is_array() || i->empty() || !(*i)[0].is_string())
    return {};
  return (*i)[0].get<std::string>();
}

json additional_mounts(const json& ns) {
  auto& c = config(ns);
  auto i = c.find("additionalMounts");
  return i != c.end() && i->is_array() ? *i : json::array();
}

std::chrono::milliseconds idle_timeout(const json& ns, const queue_policy& policy) {
  return std::chrono::seconds{config_secs(ns, "idleTimeoutSecs", policy.default_idle_timeout_secs)};
}

std::chrono::milliseconds hard_timeout(const group_state& g, const json& ns,
                                       const queue_policy& policy, bool idle_waiting) {
  auto secs = g.run && g.run->task ? g.run->task->timeout_secs
                                   : config_secs(ns, "timeoutSecs", policy.default_timeout_secs);
  std::chrono::milliseconds limit = std::chrono::seconds{secs};
  if (secs == 0)
    return limit;
  if (idle_waiting)
    limit = std::max(limit, idle_timeout(ns, policy) + std::chrono::seconds{30});
  return limit;
}

prepared_run prepare_run(const group_context& ctx, const group_state& g, const json& ns,
                         group_work w, const runtime_info& info, int64_t now) {
  prepared_run run;
  run.container_name = container_name(g.group, now);
  run.image = ctx.default_image;
  if (auto image = config(ns).find("image"); image != config(ns).end() && image->is_string())
    run.image = image->get<std::string>();
  if (w == group_work::task && !g.tasks.front().image.empty())
    run.image = g.tasks.front().image;
  if (!info.available || !info.backend) {
    run.failure = "No container runtime is available"
                  + (info.message.empty() ? std::string{} : ": " + info.message);
    return run;
  }
  run.backend = *info.backend;
  run.info = info;
  fs::path data{ctx.data_dir};
  auto group_dir = data / "groups" / g.group;
  auto global_dir = data / "global";
  auto session_dir = data / "sessions" / g.group;
  bool ok = ensure_dir(group_dir) && ensure_dir(global_dir) && ensure_dir(session_dir);
  if (auto made = ensure_ipc_dirs(data / "ipc", g.group); !made) {
    spdlog::error("group {}: cannot make its IPC folders: {}", g.group, made.err().message);
    ok = false;
  }
  if (!ok) {
    run.failure = "Cannot prepare the group's folders";
    return run;
  }
  auto& o = run.options;
  o.name = run.container_name;
  o.image = run.image;
  o.owner = ctx.owner;
  o.env.emplace_back("TZ", ctx.tz);
  o.mounts = {
    {group_dir.string(), "/workspace/group", false},
    {global_dir.string(), "/workspace/global", !is_main(ns)},
    {(data / "ipc" / g.group).string(), "/workspace/ipc", false},
    {session_dir.string(), "/home/node/.claude", false},
  };
  return run;
}

void accept_mount(prepared_run& run, const json& decision) {
  if (!decision.value("allowed", false))
    return;
  run.options.mounts.push_back({decision.value("canonicalHostPath", ""),
                                decision.value("containerPath", ""),
                                decision.value("readOnly", true)});
}

void finalize_run_args(prepared_run& run) {
  if (!run.failure.empty())
    return;
  auto argv = build_run_args(run.backend, run.options, run.info);
  auto stop = stop_args(run.backend, run.container_name);
  if (!argv || !stop) {
    run.failure = "Cannot build the container command: "
                  + (!argv ? argv.err().message : stop.err().message);
    return;
  }
  run.argv = std::move(*argv);
  run.stop_argv = std::move(*stop);
}

std::string owner_label(const std::string& data_dir) {
  uint64_t h = 1469598103934665603ull; // FNV-1a, stable across builds
  for (unsigned char c : data_dir) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int shift = 60; shift >= 0; shift -= 4)
    out.push_back(hex[(h >> shift) & 0xf]);
  return out;
}

std::string container_timezone(const std::string& configured) {
  if (!configured.empty())
    return configured;
  if (auto tz = std::getenv("TZ"); tz != nullptr && *tz != '\0')
    return tz;
  if (auto file = read_file("/etc/timezone")) {
    auto zone = std::string{trim(*file)};
    if (!zone.empty())
      return zone;
  }
  return "UTC";
}

std::vector<std::string> stop_orphans(process_runner& runner, const runtime_info& info,
                                      const std::string& owner) {
  std::vector<std::string> stopped;
  if (!info.available || !info.backend)
    return stopped;
  process_spec list;
  list.argv = list_containers_args(*info.backend, "pincer-", owner);
  list.timeout = std::chrono::seconds{30};
  auto listed = run_sync(runner, std::move(list));
  if (listed.exit_code != 0) {
    spdlog::warn("cannot list old containers: {}", listed.err);
    return stopped;
  }
  for (auto& name : parse_container_list(*info.backend, listed.out, "pincer-")) {
    auto argv = stop_args(*info.backend, name);
    if (!argv)
      continue;
    process_spec stop;
    stop.argv = std::move(*argv);
    stop.timeout = std::chrono::seconds{30};
    auto r = run_sync(runner, std::move(stop));
    if (r.exit_code == 0)
      stopped.push_back(name);
    else
      spdlog::warn("cannot stop {}: {}", name, r.err);
  }
  return stopped;
}

} // namespace pincer
