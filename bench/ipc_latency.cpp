// pincer-bench ipc-latency: how soon a group's IPC file is noticed.
//
//   watcher   a `*.json` renamed into `messages/` -> the ipc_watcher callback
//             (inotify on Linux), one file at a time
//   poll250   the same through the watcher's polling fallback (250 ms)
//   poll1s    NanoClaw's 1 s poll, computed: for each file an arrival phase
//             drawn uniformly from the poll period plus the measured cost of
//             one scan of the group's folders, taken in this run
//   input     write_input_message -> the file seen by a reader listing
//             `input/` in a tight loop (the agent's own poll period, 100 ms
//             for the test agent and 500 ms for the runner, comes on top)

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <unistd.h>

#include "actors/ipc_files.hpp"
#include "actors/ipc_watcher.hpp"
#include "bench/bench.hpp"

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace pincer::bench {

namespace {

double ms_since(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto i = static_cast<size_t>(p * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(i, xs.size() - 1)];
}

/// Latencies from a rename into `messages/` to the watcher's callback.
std::vector<double> watcher_latencies(const fs::path& root, int files, bool inotify) {
  std::mutex mtx;
  std::condition_variable cv;
  uint64_t reports = 0;
  clock_type::time_point last;
  ipc_watcher watcher{root,
                      [&](const std::string&) {
                        std::lock_guard guard{mtx};
                        ++reports;
                        last = clock_type::now();
                        cv.notify_all();
                      },
                      std::chrono::milliseconds{250}, inotify};
  if (!watcher.start())
    return {};
  std::this_thread::sleep_for(std::chrono::milliseconds{20});
  std::mt19937 rng{42};
  std::uniform_int_distribution<int> pause_us{0, 2000};
  auto box = root / "bench" / "messages";
  std::vector<double> out;
  for (int i = 0; i < files; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%013d-%06d.json", i, i);
    auto tmp = box / (std::string{name} + ".tmp");
    std::ofstream{tmp} << R"({"type":"message","chatJid":"tg:1","text":"ping"})";
    uint64_t before;
    {
      std::lock_guard guard{mtx};
      before = reports;
    }
    auto sent = clock_type::now();
    fs::rename(tmp, box / name);
    std::unique_lock guard{mtx};
    if (!cv.wait_for(guard, std::chrono::seconds{3}, [&] { return reports > before; })) {
      std::cerr << "pincer-bench ipc-latency: file " << i << " was not reported\n";
      return {};
    }
    out.push_back(ms_since(sent, last));
    guard.unlock();
    fs::remove(box / name);
    if (!inotify) // spread arrivals uniformly over the poll period
      std::this_thread::sleep_for(std::chrono::microseconds{pause_us(rng) * 125});
  }
  watcher.stop();
  return out;
}

/// Keeps the scans from being optimised away.
volatile size_t scanned_files = 0;

/// Latencies of a `period` poll: a uniform arrival phase plus one scan.
std::vector<double> computed_poll_latencies(const fs::path& root, int files, double period_ms) {
  std::mt19937 rng{7};
  std::uniform_real_distribution<double> phase{0.0, period_ms};
  std::vector<double> out;
  for (int i = 0; i < files; ++i) {
    auto t0 = clock_type::now();
    // NanoClaw's scan: every group folder, then messages/ and tasks/.
    size_t found = 0;
    for (auto& g : fs::directory_iterator{root})
      if (g.path().filename() != ipc_errors_folder)
        found += pending_ipc_files(root, g.path().filename().string(), ipc_kind::messages).size()
                 + pending_ipc_files(root, g.path().filename().string(), ipc_kind::tasks).size();
    auto scan = ms_since(t0, clock_type::now());
    scanned_files += found;
    out.push_back(period_ms - phase(rng) + scan);
  }
  return out;
}

/// Latencies from write_input_message to the file seen by a busy reader.
std::vector<double> input_latencies(const fs::path& root, int files) {
  std::atomic<bool> seen{false};
  std::atomic<bool> done{false};
  clock_type::time_point seen_at;
  auto input = root / "bench" / "input";
  std::thread reader{[&] {
    while (!done.load()) {
      std::error_code err;
      for (fs::directory_iterator i{input, err}, end; !err && i != end; i.increment(err)) {
        auto name = i->path().filename().string();
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0 && !seen.load()) {
          seen_at = clock_type::now();
          fs::remove(i->path(), err);
          seen.store(true);
          break;
        }
      }
    }
  }};
  std::vector<double> out;
  for (int i = 0; i < files; ++i) {
    seen.store(false);
    auto t0 = clock_type::now();
    if (!write_input_message(root, "bench", "follow-up " + std::to_string(i)))
      break;
    auto limit = t0 + std::chrono::seconds{3};
    while (!seen.load() && clock_type::now() < limit)
      std::this_thread::sleep_for(std::chrono::microseconds{100});
    if (!seen.load())
      break;
    out.push_back(ms_since(t0, seen_at));
  }
  done.store(true);
  reader.join();
  return out;
}

} // namespace

int ipc_latency_main(int argc, char** argv) {
  int files = 1000;
  std::string dir = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--files") == 0)
      files = std::max(10, std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--dir") == 0)
      dir = argv[i + 1];
  }
  auto pattern = (fs::path{dir} / "pincer-ipc-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "pincer-bench ipc-latency: cannot create a folder in " << dir << "\n";
    return 1;
  }
  fs::path root = fs::path{pattern} / "ipc";
  // Ten quiet groups beside the measured one, as on a server with a few chats.
  for (int g = 0; g < 10; ++g)
    ensure_ipc_dirs(root, "quiet-" + std::to_string(g));
  ensure_ipc_dirs(root, "bench");
  auto stage = clock_type::now();
  auto lap = [&](const char* what) {
    auto now = clock_type::now();
    std::cerr << "  " << what << ": " << static_cast<int>(ms_since(stage, now)) << " ms\n";
    stage = now;
  };
  auto watched = watcher_latencies(root, files, true);
  lap("inotify watcher");
  auto polled = watcher_latencies(root, std::max(10, files / 50), false);
  lap("polling watcher");
  auto nanoclaw = computed_poll_latencies(root, files, 1000.0);
  lap("1 s poll, computed");
  auto input = input_latencies(root, files);
  lap("input files");
  std::error_code ignored;
  fs::remove_all(pattern, ignored);
  if (watched.size() != static_cast<size_t>(files) || polled.empty()
      || input.size() != static_cast<size_t>(files)) {
    std::cerr << "pincer-bench ipc-latency: a measurement failed\n";
    return 1;
  }
  auto w50 = percentile(watched, 0.5), w99 = percentile(watched, 0.99);
  auto p50 = percentile(polled, 0.5), p99 = percentile(polled, 0.99);
  auto n50 = percentile(nanoclaw, 0.5), n99 = percentile(nanoclaw, 0.99);
  auto i50 = percentile(input, 0.5), i99 = percentile(input, 0.99);
  std::cout << std::fixed << std::setprecision(3) << "ipc-latency files=" << files
            << " watcher_p50_ms=" << w50 << " watcher_p99_ms=" << w99
            << " poll250_p50_ms=" << p50 << " poll250_p99_ms=" << p99
            << " poll1s_p50_ms=" << n50 << " poll1s_p99_ms=" << n99 << " input_p50_ms=" << i50
            << " input_p99_ms=" << i99 << std::endl;
  std::cerr << std::fixed << std::setprecision(3) << "\n"
            << "| path | files | p50 ms | p99 ms |\n|---|---|---|---|\n"
            << "| rename into messages/ -> watcher callback (inotify) | " << files << " | "
            << w50 << " | " << w99 << " |\n"
            << "| the same, polling fallback every 250 ms | " << polled.size() << " | " << p50
            << " | " << p99 << " |\n"
            << "| NanoClaw 1 s poll (computed, measured scan cost) | " << files << " | " << n50
            << " | " << n99 << " |\n"
            << "| write_input_message -> visible to a busy reader | " << files << " | " << i50
            << " | " << i99 << " |\n";
  return 0;
}

} // namespace pincer::bench
