// Schedules: timer lateness of many schedule actors firing at once into a
// task sink that answers at once, a data folder with many schedules for
// measuring the server's start-up and memory, and the scheduler's rebuild
// over such a folder.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "actors/core.hpp"
#include "actors/directory.hpp"
#include "actors/event_log.hpp"
#include "actors/scheduler.hpp"
#include "bench/bench.hpp"
#include "events/catalog.hpp"
#include "events/schedule_events.hpp"
#include "events/time.hpp"
#include "storage/event_store.hpp"

namespace pincer::bench {

namespace {

namespace fs = std::filesystem;

struct options {
  std::string mode;
  size_t schedules = 10000;
  int seconds = 60;
  std::string dir = "/tmp";
};

/// A queue that accepts every task at once and does nothing with it.
caf::actor spawn_sink(caf::actor_system& sys) {
  return sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {
      [](enqueue_atom, std::string&, queued_task& t, request_meta&) {
        return reply{202, json{{"status", "queued"}, {"taskId", t.task_id}}};
      },
    };
  });
}

json schedule_body(int64_t interval) {
  return json{{"group", "bench"},
              {"prompt", "noop"},
              {"schedule", {{"type", "interval"}, {"value", interval}}},
              {"timezone", "UTC"}};
}

double percentile(std::vector<int64_t>& xs, double p) {
  if (xs.empty())
    return 0;
  auto k = static_cast<size_t>(p * static_cast<double>(xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + static_cast<long>(k), xs.end());
  return static_cast<double>(xs[k]);
}

/// `fire`: N schedules at a 1 s interval for S seconds; prints the lateness
/// of every fired slot (`firedAt - slot`, from the `schedule.fired` events).
int fire(const options& o) {
  auto path = fs::path{o.dir} / ("pincer-bench-schedules-" + std::to_string(::getpid()));
  fs::remove_all(path);
  auto opened = open_rocksdb_store((path / "events").string(), rocksdb_options{false, false});
  if (!opened) {
    std::cerr << opened.err().message << "\n";
    return 1;
  }
  std::shared_ptr<event_store> store = std::move(*opened);
  int64_t fired_from = 0;
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    auto log = spawn_event_log(sys, store, true);
    auto directory = sys.spawn(pincer::directory,
                               namespace_context{store, log, (path / "data").string()},
                               std::string{"Andy"});
    auto sink = spawn_sink(sys);
    auto ctx = std::make_shared<schedule_context>();
    ctx->store = store;
    ctx->log = log;
    ctx->queue = caf::actor_cast<queue_actor>(sink);
    ctx->clock = now_ms;
    auto sched = sys.spawn(scheduler, std::shared_ptr<const schedule_context>{ctx}, directory,
                           std::string{"UTC"}, std::vector<schedule_snapshot>{});
    caf::scoped_actor self{sys};
    request_meta meta{"bench", ""};
    bool ok = true;
    self->request(directory, caf::infinite, create_atom::value, json{{"name", "bench"}}, meta)
      .receive([](reply&) {}, [&](caf::error&) { ok = false; });
    auto started = std::chrono::steady_clock::now();
    for (size_t i = 0; i < o.schedules && ok; ++i)
      self->request(sched, caf::infinite, create_atom::value, schedule_body(1000), meta)
        .receive([](reply&) {}, [&](caf::error& e) {
          std::cerr << "create: " << caf::to_string(e) << "\n";
          ok = false;
        });
    auto made = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "created " << o.schedules << " schedules in " << made << " s\n";
    fired_from = now_ms() + 2000; // skip the first two seconds (creation still running)
    std::this_thread::sleep_for(std::chrono::seconds{o.seconds});
    caf::anon_send_exit(sched, caf::exit_reason::user_shutdown);
    std::this_thread::sleep_for(std::chrono::seconds{1}); // its schedule actors stop too
    self->request(log, std::chrono::seconds{60}, caf::flush_atom::value).receive(
      [](uint64_t) {}, [](caf::error&) {});
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
    if (!ok)
      return 1;
  }
  std::vector<int64_t> late;
  store->read_all(0, [&](const record& r) {
    if (r.type != event_types::schedule_fired)
      return true;
    auto d = json::parse(r.data);
    auto slot = d.value("slot", int64_t{0});
    if (slot >= fired_from)
      late.push_back(d.value("firedAt", int64_t{0}) - slot);
    return true;
  });
  store.reset();
  fs::remove_all(path);
  auto expected = static_cast<double>(o.schedules) * (o.seconds - 2);
  std::printf("schedules=%zu seconds=%d fired=%zu expected~%.0f p50_ms=%.0f p99_ms=%.0f "
              "max_ms=%.0f\n",
              o.schedules, o.seconds, late.size(), expected, percentile(late, 0.50),
              percentile(late, 0.99), percentile(late, 1.0));
  return 0;
}

/// `load`: a data folder `<dir>/data` holding the namespace `bench` and N
/// interval schedules (1 h), written straight into the log.
int load(const options& o) {
  auto data = fs::path{o.dir} / "data";
  fs::remove_all(data);
  {
    core_config cfg;
    cfg.data_dir = data.string();
    cfg.sync = false;
    cfg.instant_runs = true;
    auto core = core::start(cfg);
    if (!core) {
      std::cerr << core.err().message << "\n";
      return 1;
    }
    std::promise<bool> made;
    (*core)->create_namespace(json{{"name", "bench"}}, request_meta{"bench", ""},
                              [&](result<reply> r) { made.set_value(static_cast<bool>(r)); });
    if (!made.get_future().get())
      return 1;
    (*core)->shutdown();
  }
  auto opened = open_rocksdb_store((data / "events").string(), rocksdb_options{false, false});
  if (!opened) {
    std::cerr << opened.err().message << "\n";
    return 1;
  }
  auto now = now_ms();
  auto object = validate_new_schedule(schedule_body(3600000), "UTC");
  std::vector<append_request> batch;
  for (size_t i = 0; i < o.schedules; ++i) {
    auto id = make_uuid();
    schedule_state st;
    auto drafts = st.decide_create(id, *object, now);
    batch.push_back(append_request{schedule_stream(id), 0, "bench", "", std::move(*drafts)});
    if (batch.size() == 1000 || i + 1 == o.schedules) {
      for (auto& r : (*opened)->append(batch))
        if (!r)
          return 1;
      batch.clear();
    }
  }
  std::printf("data=%s schedules=%zu\n", data.string().c_str(), o.schedules);
  return 0;
}

/// `replay`: the scheduler's rebuild over the data folder `<dir>/data` (as
/// `load` writes it), from `load_schedules` until the spawned supervisor
/// answers (`load_ms`: the load alone); the log is opened
/// and read once beforehand, so its files are in the page cache. The
/// baseline is a bare scan of the log.
int replay(const options& o) {
  auto opened = open_rocksdb_store((fs::path{o.dir} / "data" / "events").string(),
                                   rocksdb_options{false, false});
  if (!opened) {
    std::cerr << opened.err().message << "\n";
    return 1;
  }
  std::shared_ptr<event_store> store = std::move(*opened);
  size_t events = 0;
  store->read_all(0, [&](const record&) { return ++events, true; }); // into the page cache
  auto scan_started = std::chrono::steady_clock::now();
  store->read_all(0, [&](const record&) { return true; });
  auto scan_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now()
                                                           - scan_started)
                   .count();
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto log = spawn_event_log(sys, store, false);
  auto ctx = std::make_shared<schedule_context>();
  ctx->store = store;
  ctx->log = log;
  ctx->clock = now_ms;
  caf::scoped_actor self{sys};
  auto started = std::chrono::steady_clock::now();
  auto loaded = load_schedules(*store);
  auto load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now()
                                                           - started)
                   .count();
  if (!loaded) {
    std::cerr << loaded.err().message << "\n";
    return 1;
  }
  auto sched = sys.spawn(scheduler, std::shared_ptr<const schedule_context>{ctx},
                         directory_actor{}, std::string{"UTC"}, std::move(*loaded));
  size_t count = 0;
  self->request(sched, caf::infinite, caf::get_atom::value, namespace_atom::value,
                std::string{"bench"})
    .receive([&](reply& r) { count = r.body.value("count", size_t{0}); },
             [](caf::error& e) { std::cerr << caf::to_string(e) << "\n"; });
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
  caf::anon_send_exit(sched, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
  std::printf("events=%zu schedules=%zu replay_ms=%.0f load_ms=%.0f log_scan_ms=%.0f\n", events,
              count, ms, load_ms, scan_ms);
  return count > 0 ? 0 : 1;
}

} // namespace

int schedules_main(int argc, char** argv) {
  options o;
  if (argc > 1)
    o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--schedules")
      o.schedules = std::stoul(argv[i + 1]);
    else if (k == "--seconds")
      o.seconds = std::stoi(argv[i + 1]);
    else if (k == "--dir")
      o.dir = argv[i + 1];
  }
  if (o.mode == "fire")
    return fire(o);
  if (o.mode == "load")
    return load(o);
  if (o.mode == "replay")
    return replay(o);
  std::cerr << "usage: pincer-bench schedules fire|load|replay [--schedules N] [--seconds S] "
               "[--dir D]\n";
  return 2;
}

} // namespace pincer::bench
