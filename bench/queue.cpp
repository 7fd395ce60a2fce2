// The queue benchmarks: scheduling overhead with containers that answer at
// once, and follow-up / IPC latency with real containers.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/core.hpp"
#include "actors/event_log.hpp"
#include "actors/interfaces.hpp"
#include "bench/bench.hpp"
#include "events/catalog.hpp"
#include "events/queue_events.hpp"
#include "storage/event_store.hpp"

namespace pincer::bench {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

std::string option(int argc, char** argv, const char* name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return fallback;
}

/// Calls a core method and waits for its answer.
template <class F>
result<reply> call(F f) {
  std::promise<result<reply>> p;
  auto answer = p.get_future();
  f([&p](result<reply> r) { p.set_value(std::move(r)); });
  return answer.get();
}

/// Counts events of one type as the log delivers them.
struct event_counter {
  std::mutex m;
  std::condition_variable cv;
  size_t seen = 0;
  std::vector<std::pair<std::string, clock_type::time_point>> arrivals;

  bool add(const std::vector<json>& batch, const std::string& type, bool record) {
    std::lock_guard<std::mutex> guard{m};
    for (auto& e : batch)
      if (e.value("type", "") == type) {
        ++seen;
        if (record)
          arrivals.emplace_back(e["data"].value("file", ""), clock_type::now());
      }
    cv.notify_all();
    return true;
  }

  bool wait_for(size_t n, std::chrono::seconds limit) {
    std::unique_lock<std::mutex> lock{m};
    return cv.wait_for(lock, limit, [&] { return seen >= n; });
  }
};

/// How many enqueues may await their answer at once.
constexpr size_t enqueue_window = 1024;

/// A counting semaphore: at most `limit` holders at once.
class in_flight {
public:
  explicit in_flight(size_t limit) : free_(limit) {
  }

  void acquire() {
    std::unique_lock<std::mutex> lock{m_};
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }

  void release() {
    {
      std::lock_guard<std::mutex> guard{m_};
      ++free_;
    }
    cv_.notify_one();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  size_t free_;
};

/// Baseline for the queue: the same events per run (queued, started,
/// output, finished) appended straight through the event-log actor, as many
/// streams in flight as there are groups.
double log_only_runs_per_sec(const std::string& dir, size_t groups, size_t runs) {
  auto opened = open_rocksdb_store(dir, rocksdb_options{false, false});
  if (!opened)
    return 0;
  std::shared_ptr<event_store> store = std::move(*opened);
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto log = spawn_event_log(sys, store, false);
  const auto& c = event_catalog();
  std::atomic<size_t> done{0};
  std::promise<void> finished;
  auto start = clock_type::now();
  {
    for (size_t g = 0; g < groups; ++g) {
      auto per_group = runs / groups;
      // One actor per stream appends its runs one after the other, like a group.
      sys.spawn([=, &done, &finished, &c](caf::event_based_actor* a) {
        auto next = std::make_shared<std::function<void(size_t)>>();
        *next = [=, &done, &finished, &c](size_t i) {
          if (i == per_group)
            return;
          json d{{"group", "g" + std::to_string(g)}, {"taskId", std::to_string(i)}};
          std::vector<draft> drafts{c.make(event_types::task_queued, d),
                                    c.make(event_types::run_started, d),
                                    c.make(event_types::run_output, d),
                                    c.make(event_types::run_finished, d)};
          append_request req{"group/g" + std::to_string(g), any_version, "bench", "", drafts};
          a->request(log, std::chrono::seconds{60}, append_atom::value, std::move(req))
            .then([=, &done, &finished](std::vector<record>&) {
              if (++done == runs)
                finished.set_value();
              (*next)(i + 1);
            });
        };
        (*next)(0);
      });
    }
  }
  finished.get_future().wait();
  auto secs = seconds_since(start);
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
  return static_cast<double>(runs) / secs;
}

} // namespace

int queue_main(int argc, char** argv) {
  auto groups = std::stoul(option(argc, argv, "--groups", "1000"));
  auto runs = std::stoul(option(argc, argv, "--runs", "100000"));
  auto dir = option(argc, argv, "--dir", "/tmp/pincer-bench-queue");
  runs -= runs % groups;
  std::filesystem::remove_all(dir);
  core_config cfg;
  cfg.data_dir = dir + "/data";
  cfg.sync = false;
  cfg.instant_runs = true;
  cfg.runtime = "podman";
  auto started = core::start(cfg);
  if (!started) {
    std::cerr << "cannot start: " << started.err().message << '\n';
    return 1;
  }
  auto& c = **started;
  if (auto set = call([&](reply_handler h) {
        c.set_max_concurrent(json{{"maxConcurrent", 256}}, {"bench", ""}, h);
      });
      !set) {
    std::cerr << "cannot set the limit: " << set.err().message << '\n';
    return 1;
  }
  for (size_t g = 0; g < groups; ++g) {
    auto made = call([&](reply_handler h) {
      c.create_namespace(json{{"name", "g" + std::to_string(g)}}, {"bench", ""}, h);
    });
    if (!made) {
      std::cerr << "cannot create a group: " << made.err().message << '\n';
      return 1;
    }
  }
  event_counter finished;
  auto last = call([&](reply_handler h) { c.health(h); })->body["lastEventSeq"].get<uint64_t>();
  auto sub = c.subscribe(last,
                         [&](const std::vector<json>& batch) {
                           return finished.add(batch, event_types::run_finished, false);
                         });
  // Enqueues are sent with a bounded number awaiting their answer, as HTTP
  // clients would send them: all 100,000 at once would only time out their
  // answers behind the runs already queued.
  std::atomic<size_t> failures{0};
  in_flight window{enqueue_window};
  auto start = clock_type::now();
  for (size_t i = 0; i < runs; ++i) {
    queued_task t;
    t.task_id = "t" + std::to_string(i);
    t.prompt = "noop";
    window.acquire();
    c.enqueue_task("g" + std::to_string(i % groups), std::move(t), {"bench", ""},
                   [&](result<reply> r) {
                     if (!r)
                       ++failures;
                     window.release();
                   });
  }
  bool complete = finished.wait_for(runs, std::chrono::seconds{600});
  auto secs = seconds_since(start);
  c.unsubscribe(sub);
  auto counted = finished.seen;
  c.shutdown();
  started->reset();
  double queue_rate = static_cast<double>(counted) / secs;
  double log_rate = log_only_runs_per_sec(dir + "/log-only", groups, runs);
  std::printf("runs=%zu groups=%zu queue_rps=%.0f log_rps=%.0f ratio=%.2f\n", runs, groups,
              queue_rate, log_rate, log_rate > 0 ? queue_rate / log_rate : 0.0);
  if (!complete || failures > 0) {
    std::fprintf(stderr, "only %zu of %zu runs finished, %zu enqueue failures\n", counted, runs,
                 failures.load());
    return 1;
  }
  return 0;
}

} // namespace pincer::bench
