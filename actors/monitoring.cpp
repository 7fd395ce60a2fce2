#include "actors/monitoring.hpp"

#include <memory>
#include <mutex>

namespace pincer {

namespace {

/// The snapshot being filled and how many answers are still missing.
struct pending_metrics {
  std::mutex mtx;
  metrics_snapshot snapshot;
  int missing = 4;
  std::function<void(metrics_snapshot)> then;
};

} // namespace

void gather_metrics(const metrics_sources& src, std::function<void(metrics_snapshot)> then) {
  auto p = std::make_shared<pending_metrics>();
  p->then = std::move(then);
  auto part = [p](json metrics_snapshot::*field) {
    return [p, field](result<reply> r) {
      std::unique_lock<std::mutex> lock{p->mtx};
      if (r && !r->body.is_null())
        p->snapshot.*field = std::move(r->body);
      else if (r && r->text)
        if (auto parsed = json::parse(*r->text, nullptr, false); !parsed.is_discarded())
          p->snapshot.*field = std::move(parsed);
      if (--p->missing > 0)
        return;
      auto& events = p->snapshot.totals;
      if (auto e = events.find("events"); e != events.end() && e->is_object())
        p->snapshot.appended_per_sec = e->value("appendedPerSec1m", 0.0);
      auto done = std::move(p->then);
      auto snapshot = std::move(p->snapshot);
      lock.unlock();
      done(std::move(snapshot));
    };
  };
  src.queue(part(&metrics_snapshot::queue));
  src.channels(part(&metrics_snapshot::channels));
  src.proxy(part(&metrics_snapshot::proxy));
  src.totals(part(&metrics_snapshot::totals));
}

} // namespace pincer
