#include "tools/inspect_replay.hpp"

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "actors/audit_log.hpp"

namespace pincer {

namespace {

using clock_type = std::chrono::steady_clock;

/// Erases what is left of a longer, earlier progress line (progress is only
/// written to a terminal).
constexpr const char* clear_to_end = "\x1b[K";

/// Wraps a projection: counts events and the rows they produce per event
/// type, and calls `tick(seq, events)` every 4096 events.
class counting_projection : public projection {
public:
  counting_projection(const projection& inner, std::function<void(uint64_t, uint64_t)> tick)
    : inner_(inner), tick_(std::move(tick)) {
  }

  std::string name() const override {
    return inner_.name();
  }

  void project(const record& r, std::vector<row>& out) const override {
    auto before = out.size();
    inner_.project(r, out);
    if (auto n = out.size() - before; n > 0)
      counts_[r.type] += n;
    if (++events_ % 4096 == 0 && tick_)
      tick_(r.seq, events_);
  }

  /// Rows per event type.
  std::map<std::string, uint64_t> counts() const {
    return {counts_.begin(), counts_.end()};
  }

private:
  const projection& inner_;
  std::function<void(uint64_t, uint64_t)> tick_;
  mutable std::unordered_map<std::string, uint64_t> counts_;
  mutable uint64_t events_ = 0;
};

double rate(uint64_t events, clock_type::time_point start) {
  std::chrono::duration<double> elapsed = clock_type::now() - start;
  return elapsed.count() > 0 ? static_cast<double>(events) / elapsed.count() : 0.0;
}

} // namespace

std::string progress_line(uint64_t seq, uint64_t last_seq, double events_per_sec) {
  return "replaying: " + std::to_string(seq) + " / " + std::to_string(last_seq) + " events ("
         + std::to_string(static_cast<uint64_t>(std::llround(events_per_sec))) + " events/s)";
}

result<json> replay_audit(const event_store& store, const replay_options& opts) {
  auto last_seq = store.last_seq();
  auto start = clock_type::now();
  auto last_shown = start;
  std::function<void(uint64_t, uint64_t)> tick;
  if (opts.progress_out)
    tick = [&](uint64_t seq, uint64_t events) {
      auto now = clock_type::now();
      if (now - last_shown < std::chrono::milliseconds{100})
        return;
      last_shown = now;
      *opts.progress_out << '\r' << progress_line(seq, last_seq, rate(events, start))
                         << clear_to_end << std::flush;
    };
  audit_projection audit;
  counting_projection counting{audit, std::move(tick)};
  uint64_t rows = 0;
  auto sink = [&](const row& x) {
    ++rows;
    if (opts.rows_out)
      *opts.rows_out << x.second << '\n';
  };
  auto events = replay(store, counting, sink);
  if (!events)
    return events.err();
  auto per_sec = rate(*events, start);
  if (opts.progress_out) {
    *opts.progress_out << '\r' << progress_line(last_seq, last_seq, per_sec) << clear_to_end
                       << '\n' << std::flush;
  }
  if (opts.rows_out)
    opts.rows_out->flush();
  return json{{"events", *events},
              {"rows", rows},
              {"byAction", counting.counts()},
              {"eventsPerSec", std::round(per_sec * 10) / 10}};
}

} // namespace pincer
