// Replay throughput: the audit projection rebuilt from a synthetic log,
// against a plain scan of the same log in the same process.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "actors/audit_log.hpp"
#include "actors/projection.hpp"
#include "bench/bench.hpp"
#include "events/namespace_events.hpp"
#include "storage/event_store.hpp"

namespace pincer::bench {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

constexpr size_t batch_requests = 1000;
constexpr size_t stream_count = 1000;

/// One synthetic event: a realistic mix of the namespace event types, with a
/// data payload shaped like a namespace object.
append_request synthetic(uint64_t i) {
  static const char* types[] = {event_types::namespace_updated, event_types::namespace_updated,
                                event_types::instructions_updated,
                                event_types::namespace_created};
  append_request req;
  auto n = i % stream_count;
  req.stream = "namespace/group-" + std::to_string(n);
  req.actor = "key:" + std::to_string(10000000 + i % 7);
  req.request_id = "req-" + std::to_string(i);
  draft d;
  d.type = types[i % 4];
  d.data = json{{"name", "group-" + std::to_string(n)},
                {"description", "synthetic namespace for the replay benchmark"},
                {"trigger", "@Andy"},
                {"requiresTrigger", true},
                {"n", i}};
  req.events.push_back(std::move(d));
  return req;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int fail(const std::string& what) {
  std::cerr << "replay: " << what << '\n';
  return 1;
}

} // namespace

int replay_main(int argc, char** argv) {
  uint64_t events = 1000000;
  int runs = 3;
  std::string base;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--events") == 0)
      events = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--runs") == 0)
      runs = std::max(1, std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--dir") == 0)
      base = argv[i + 1];
    else
      return fail(std::string{"unknown option "} + argv[i]);
  }
  if (events == 0)
    return fail("--events must be positive");
  std::error_code ec;
  auto parent = base.empty() ? fs::temp_directory_path() : fs::path{base};
  auto dir = parent / ("pincer-replay-" + std::to_string(::getpid()));
  fs::remove_all(dir, ec);

  // -- write ------------------------------------------------------------------
  auto t0 = clock_type::now();
  {
    auto store = open_rocksdb_store(dir.string(), rocksdb_options{false, false});
    if (!store)
      return fail("cannot open " + dir.string() + ": " + store.err().message);
    std::vector<append_request> batch;
    batch.reserve(batch_requests);
    for (uint64_t i = 0; i < events;) {
      batch.clear();
      for (size_t k = 0; k < batch_requests && i < events; ++k, ++i)
        batch.push_back(synthetic(i));
      for (auto& r : (*store)->append(batch))
        if (!r)
          return fail("append failed: " + r.err().message);
    }
  }
  double write_s = seconds_since(t0);

  auto store = open_rocksdb_store(dir.string(), rocksdb_options{false, false});
  if (!store)
    return fail("cannot reopen " + dir.string() + ": " + store.err().message);
  auto& s = **store;
  if (s.last_seq() != events)
    return fail("the store holds " + std::to_string(s.last_seq()) + " events, expected "
                + std::to_string(events));

  // -- measure, scan and replay interleaved -------------------------------------
  std::vector<double> scan_rates, replay_rates;
  uint64_t checksum = 0;
  audit_projection audit;
  for (int run = 0; run < runs; ++run) {
    uint64_t scanned = 0;
    auto ts = clock_type::now();
    auto read = s.read_all(0, [&](const record&) {
      ++scanned;
      return true;
    });
    double scan_s = seconds_since(ts);
    if (!read || scanned != events)
      return fail("scan read " + std::to_string(scanned) + " events");
    scan_rates.push_back(static_cast<double>(scanned) / scan_s);

    uint64_t rows = 0, bytes = 0;
    auto tr = clock_type::now();
    auto replayed = replay(s, audit, [&](const row& r) {
      ++rows;
      bytes += r.second.size();
    });
    double replay_s = seconds_since(tr);
    if (!replayed || *replayed != events || rows != events)
      return fail("replay produced " + std::to_string(rows) + " rows");
    replay_rates.push_back(static_cast<double>(*replayed) / replay_s);
    checksum += bytes;
    std::fprintf(stderr, "replay run %d: scan %.0f events/s, replay %.0f events/s\n", run + 1,
                 scan_rates.back(), replay_rates.back());
  }
  store->reset();
  fs::remove_all(dir, ec);

  double scan = median(scan_rates), rep = median(replay_rates);
  std::printf("events=%llu write_s=%.2f scan_eps=%.0f replay_eps=%.0f ratio=%.3f "
              "row_bytes=%llu\n",
              static_cast<unsigned long long>(events), write_s, scan, rep, rep / scan,
              static_cast<unsigned long long>(checksum / static_cast<uint64_t>(runs)));
  return 0;
}

} // namespace pincer::bench
