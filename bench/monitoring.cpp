// Monitoring benchmarks over a large mixed log: rebuilding every projection
// (audit, run history, analytics, chats, schedule runs) from sequence 0, one
// analytics query, and an audit-log page of 100 items. The rebuild is compared
// with baselines from the same run: a bare scan of the log; the scan with each
// event's data parsed, the least any projection of it costs; and the
// rebuild's two stages (reading and projecting, committing rows) timed apart.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "actors/analytics.hpp"
#include "actors/audit_log.hpp"
#include "actors/projection.hpp"
#include "actors/server_projections.hpp"
#include "bench/bench.hpp"
#include "events/time.hpp"
#include "storage/event_store.hpp"

namespace pincer::bench {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

/// Event `i` of a realistic mix: namespaces, queue and runs, channel traffic,
/// schedules, mounts and the credential proxy.
append_request mixed(uint64_t i) {
  auto g = "group-" + std::to_string(i % 50);
  auto run = "run-" + std::to_string(i / 10);
  append_request req;
  req.actor = i % 3 == 0 ? "system" : "key:0a1b2c3d";
  req.request_id = "req-" + std::to_string(i);
  draft d;
  switch (i % 10) {
    case 0:
      req.stream = "namespace/" + g;
      d = {"namespace.updated", 1, json{{"name", g}, {"description", "bench"}, {"trigger", "@Andy"}}};
      break;
    case 1:
      req.stream = "group/" + g;
      d = {"message.queued", 1, json{{"group", g}, {"id", "m" + std::to_string(i)}, {"text", "hello"}}};
      break;
    case 2:
      req.stream = "group/" + g;
      d = {"run.started", 1,
           json{{"group", g}, {"runId", run}, {"trigger", "message"}, {"startedAt", now_ms()},
                {"containerName", "pincer-" + g}, {"image", "pincer-agent:latest"}}};
      break;
    case 3:
      req.stream = "group/" + g;
      d = {"run.output", 1, json{{"group", g}, {"runId", run}, {"status", "success"}, {"result", "ok"}}};
      break;
    case 4:
      req.stream = "group/" + g;
      d = {"run.finished", 1,
           json{{"group", g}, {"runId", run}, {"status", i % 40 == 4 ? "error" : "success"},
                {"startedAt", now_ms() - 1000}, {"finishedAt", now_ms()},
                {"durationMs", 200 + (i * 7919) % 5000}, {"exitCode", 0}, {"outputs", 1}}};
      break;
    case 5:
      req.stream = "channel/telegram";
      d = {"channel.message_received", 1,
           json{{"id", std::to_string(i)}, {"chatJid", "tg:" + std::to_string(i % 200)},
                {"channel", "telegram"}, {"sender", "42"}, {"content", "hello there"},
                {"timestamp", "2026-03-15T10:00:00.000Z"}}};
      break;
    case 6:
      req.stream = "outbox/telegram";
      d = {"channel.message_queued", 1,
           json{{"id", "o" + std::to_string(i)}, {"chatJid", "tg:" + std::to_string(i % 200)},
                {"text", "a reply"}, {"parts", 1}}};
      break;
    case 7:
      req.stream = "outbox/telegram";
      d = {"channel.message_part_sent", 1, json{{"id", "o" + std::to_string(i - 1)}, {"part", 0}}};
      break;
    case 8:
      req.stream = "schedule/s" + std::to_string(i % 100);
      d = {"schedule.fired", 1, json{{"id", "s" + std::to_string(i % 100)}, {"firedAt", now_ms()}}};
      break;
    default:
      req.stream = "mount/policy";
      d = {"mount.validated", 1, json{{"hostPath", "/srv/data"}, {"allowed", i % 20 != 9}}};
  }
  req.events.push_back(std::move(d));
  return req;
}

double percentile_of(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

/// The rebuild's two stages timed apart, in one pass on this thread:
/// reading (the log scanned, each event parsed once, every projection's rows
/// made) and committing those rows in the rebuild's chunks, into scratch
/// projections removed afterwards. The rebuild runs the stages on two
/// threads at once, so it can go no faster than the slower of them.
struct stage_rates {
  double read_eps = 0;
  double commit_eps = 0;
};

result<stage_rates> time_stages(event_store& s,
                                const std::vector<std::unique_ptr<projection>>& views,
                                uint64_t events) {
  constexpr size_t chunk = 4096; // catch_up's default
  std::vector<projection_commit> commits(views.size());
  for (size_t i = 0; i < views.size(); ++i)
    commits[i].projection = views[i]->name() + ".stage";
  double commit_ms = 0;
  result<unit> committed = unit{};
  size_t pending = 0;
  auto commit = [&] {
    auto t = clock_type::now();
    committed = s.commit_projections(commits);
    commit_ms += ms_since(t);
    for (auto& c : commits)
      c.rows.clear();
    pending = 0;
    return static_cast<bool>(committed);
  };
  auto t0 = clock_type::now();
  auto read = s.read_all(0, [&](const record& r) {
    event_view e{r};
    for (size_t i = 0; i < views.size(); ++i) {
      views[i]->project(e, commits[i].rows);
      commits[i].checkpoint = r.seq;
    }
    return ++pending < chunk || commit();
  });
  if (read && committed && pending > 0)
    commit();
  double read_ms = ms_since(t0) - commit_ms;
  if (!read)
    return read.err();
  if (!committed)
    return committed.err();
  for (auto& c : commits)
    if (auto ok = s.clear_projection(c.projection); !ok)
      return ok.err();
  auto n = static_cast<double>(events);
  return stage_rates{n / (read_ms / 1000.0), n / (commit_ms / 1000.0)};
}

int fail(const std::string& what) {
  std::cerr << "monitoring: " << what << '\n';
  return 1;
}

} // namespace

int monitoring_main(int argc, char** argv) {
  uint64_t events = 1000000;
  std::string base;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--events") == 0)
      events = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--dir") == 0)
      base = argv[i + 1];
    else
      return fail(std::string{"unknown option "} + argv[i]);
  }
  std::error_code ec;
  auto dir = (base.empty() ? fs::temp_directory_path() : fs::path{base})
             / ("pincer-monitoring-" + std::to_string(::getpid()));
  fs::remove_all(dir, ec);
  auto store = open_rocksdb_store(dir.string(), rocksdb_options{false, false});
  if (!store)
    return fail(store.err().message);
  auto& s = **store;
  std::vector<append_request> batch;
  for (uint64_t i = 0; i < events;) {
    batch.clear();
    for (size_t k = 0; k < 1000 && i < events; ++k, ++i)
      batch.push_back(mixed(i));
    for (auto& r : s.append(batch))
      if (!r)
        return fail("append failed: " + r.err().message);
  }

  // -- baselines: the log read alone, and read with every event's data parsed
  // (the least a projection that looks into events must do) -----------------
  auto rate_of = [&](bool parse) {
    size_t objects = 0;
    auto tb = clock_type::now();
    auto read = s.read_all(0, [&](const record& r) {
      objects += parse ? json::parse(r.data, nullptr, false).is_object() : !r.data.empty();
      return true;
    });
    double eps = static_cast<double>(events) / (ms_since(tb) / 1000.0);
    return read && objects == events ? eps : 0.0;
  };
  double scan_eps = rate_of(false);
  double parse_eps = rate_of(true);
  if (scan_eps == 0 || parse_eps == 0)
    return fail("baseline scan failed");

  // -- rebuild every projection, in one pass as the server does at start-up --
  auto views = server_projections("Andy");
  for (auto& v : views)
    if (!s.clear_projection(v->name()))
      return fail("cannot clear " + v->name());
  auto t0 = clock_type::now();
  auto cpu0 = std::clock();
  auto rebuilt = catch_up_server_projections(s, "Andy");
  double rebuild_ms = ms_since(t0);
  // Process CPU time (every thread, RocksDB's too): a figure that holds on a busy machine.
  double rebuild_cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  if (!rebuilt)
    return fail("rebuild failed: " + rebuilt.err().message);
  for (auto& v : views)
    if (s.checkpoint(v->name()) != events)
      return fail("rebuild of " + v->name() + " failed");
  double rebuild_eps = static_cast<double>(events) / (rebuild_ms / 1000.0);
  auto stages = time_stages(s, views, events);
  if (!stages)
    return fail("timing the rebuild's stages failed: " + stages.err().message);

  // -- analytics: model load (server start) and queries -----------------------
  analytics_model model;
  auto tl = clock_type::now();
  if (!load_analytics(s, 0, model))
    return fail("cannot load the analytics model");
  double load_ms = ms_since(tl);
  auto q = parse_analytics_query({}, now_ms());
  std::vector<double> analytics_ms;
  size_t runs = 0;
  for (int i = 0; i < 20; ++i) {
    auto tq = clock_type::now();
    auto answer = model.answer(*q);
    analytics_ms.push_back(ms_since(tq));
    runs = answer["totals"]["runs"].get<size_t>();
  }

  // -- audit-log page of 100 ---------------------------------------------------
  auto aq = parse_audit_query({{"limit", "100"}});
  std::vector<double> audit_ms;
  for (int i = 0; i < 1000; ++i) {
    auto ta = clock_type::now();
    auto page = query_audit_log(s, *aq);
    audit_ms.push_back(ms_since(ta));
    if (!page || (*page)["items"].size() != 100)
      return fail("audit page failed");
  }
  store->reset();
  fs::remove_all(dir, ec);
  std::printf("events=%llu rebuild_ms=%.0f rebuild_eps=%.0f rebuild_cpu_ms=%.0f "
              "scan_eps=%.0f parse_eps=%.0f ratio=%.2f read_stage_eps=%.0f "
              "commit_stage_eps=%.0f model_load_ms=%.0f runs=%zu "
              "analytics_p50_ms=%.2f analytics_max_ms=%.2f audit_p50_ms=%.3f audit_p99_ms=%.3f\n",
              static_cast<unsigned long long>(events), rebuild_ms, rebuild_eps, rebuild_cpu_ms,
              scan_eps, parse_eps, rebuild_eps / parse_eps, stages->read_eps, stages->commit_eps,
              load_ms, runs,
              percentile_of(analytics_ms, 0.5), percentile_of(analytics_ms, 1.0),
              percentile_of(audit_ms, 0.5), percentile_of(audit_ms, 0.99));
  return 0;
}

} // namespace pincer::bench
