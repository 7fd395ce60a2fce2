// Follow-up and IPC latency through a running server core with a real
// container waiting idle.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "actors/core.hpp"
#include "bench/bench.hpp"
#include "events/time.hpp"

namespace pincer::bench {

namespace {

using clock_type = std::chrono::steady_clock;

std::string option(int argc, char** argv, const char* name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return fallback;
}

template <class F>
result<reply> call(F f) {
  std::promise<result<reply>> p;
  auto answer = p.get_future();
  f([&p](result<reply> r) { p.set_value(std::move(r)); });
  return answer.get();
}

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto i = static_cast<size_t>(p * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(i, xs.size() - 1)];
}

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

/// When events of interest reached the subscriber, by type and file.
struct arrivals {
  std::mutex m;
  std::condition_variable cv;
  size_t outputs = 0;
  std::map<std::string, clock_type::time_point> sent; ///< file -> arrival

  bool add(const std::vector<json>& batch) {
    std::lock_guard<std::mutex> guard{m};
    auto now = clock_type::now();
    for (auto& e : batch) {
      auto type = e.value("type", "");
      if (type == "run.output")
        ++outputs;
      else if (type == "ipc.message_sent")
        sent.emplace(e["data"].value("file", ""), now);
    }
    cv.notify_all();
    return true;
  }

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock{m};
    return cv.wait_for(lock, limit, pred);
  }
};

/// Waits for a `*.json` file to be renamed into the watched folder.
bool wait_for_file(int fd, std::chrono::milliseconds limit) {
  alignas(inotify_event) char buf[4096];
  auto until = clock_type::now() + limit;
  while (clock_type::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0)
      continue;
    auto n = ::read(fd, buf, sizeof buf);
    for (ssize_t at = 0; at < n;) {
      auto* ev = reinterpret_cast<inotify_event*>(buf + at);
      std::string name = ev->len > 0 ? ev->name : "";
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0)
        return true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
    }
  }
  return false;
}

} // namespace

int follow_up_main(int argc, char** argv) {
  auto image = option(argc, argv, "--image", "localhost/pincer-agent-test:latest");
  auto count = std::stoul(option(argc, argv, "--count", "200"));
  auto dir = option(argc, argv, "--dir", "/tmp/pincer-bench-follow-up");
  std::filesystem::remove_all(dir);
  core_config cfg;
  cfg.data_dir = dir + "/data";
  cfg.runtime = "podman";
  cfg.agent_image = image;
  auto started = core::start(cfg);
  if (!started) {
    std::cerr << "cannot start: " << started.err().message << '\n';
    return 1;
  }
  auto& c = **started;
  const request_meta meta{"bench", ""};
  auto made = call([&](reply_handler h) {
    c.create_namespace(json{{"name", "bench"}, {"chatJids", {"tg:1"}}}, meta, h);
  });
  if (!made) {
    std::cerr << "cannot create the group: " << made.err().message << '\n';
    return 1;
  }
  arrivals seen;
  auto sub = c.subscribe(0, [&](const std::vector<json>& batch) { return seen.add(batch); });
  call([&](reply_handler h) {
    c.follow_up(json{{"group", "bench"}, {"text", "echo: ready"}}, meta, h);
  });
  if (!seen.wait([&] { return seen.outputs >= 1; }, std::chrono::seconds{60})) {
    std::cerr << "the container did not answer (is the image " << image << " built?)\n";
    return 1;
  }
  auto ipc = std::filesystem::path{cfg.data_dir} / "ipc" / "bench";
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ::inotify_add_watch(fd, (ipc / "input").c_str(), IN_MOVED_TO | IN_CLOSE_WRITE);
  std::vector<double> follow_ups;
  for (size_t i = 0; i < count; ++i) {
    auto t0 = clock_type::now();
    c.follow_up(json{{"group", "bench"}, {"text", "echo: " + std::to_string(i)}}, meta,
                [](result<reply>) {});
    if (wait_for_file(fd, std::chrono::seconds{2}))
      follow_ups.push_back(ms_between(t0, clock_type::now()));
  }
  ::close(fd);
  std::vector<double> handled;
  for (size_t i = 0; i < count; ++i) {
    auto name = std::to_string(now_ms()) + "-" + std::to_string(100000 + i) + ".json";
    auto tmp = ipc / "messages" / (name + ".tmp");
    std::ofstream{tmp} << R"({"type":"message","chatJid":"tg:1","text":"latency"})";
    auto t0 = clock_type::now();
    std::filesystem::rename(tmp, ipc / "messages" / name);
    if (seen.wait([&] { return seen.sent.count(name) > 0; }, std::chrono::seconds{2})) {
      std::lock_guard<std::mutex> guard{seen.m};
      handled.push_back(ms_between(t0, seen.sent[name]));
    }
  }
  c.unsubscribe(sub);
  call([&](reply_handler h) { c.close_container(json{{"group", "bench"}}, meta, h); });
  c.shutdown();
  // A poll every P ms finds a file after a uniform wait in [0, P): NanoClaw
  // polls input/ every 500 ms and messages/ every 1000 ms.
  std::printf("followup_p50_ms=%.2f followup_p99_ms=%.2f ipc_p50_ms=%.2f ipc_p99_ms=%.2f "
              "poll_followup_p99_ms=%.0f poll_ipc_p99_ms=%.0f\n",
              percentile(follow_ups, 0.5), percentile(follow_ups, 0.99), percentile(handled, 0.5),
              percentile(handled, 0.99), 500 * 0.99, 1000 * 0.99);
  if (follow_ups.size() != count || handled.size() != count) {
    std::fprintf(stderr, "lost: %zu follow-ups, %zu IPC files\n", count - follow_ups.size(),
                 count - handled.size());
    return 1;
  }
  return 0;
}

} // namespace pincer::bench
