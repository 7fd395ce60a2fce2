#include "actors/scheduler.hpp"

#include <functional>
#include <future>
#include <optional>

#include "events/catalog.hpp"
#include "events/schedule_events.hpp"

namespace pincer {

namespace {

/// Schedules rebuilt in place, by stream.
using schedules_by_stream = std::unordered_map<std::string, schedule_data>;

/// One scan of the log, rebuilding the schedule streams whose hash falls in
/// `part` of `parts`.
result<schedules_by_stream> load_part(const event_store& store, size_t part, size_t parts) {
  schedules_by_stream by_stream;
  std::optional<error> failure;
  const std::string_view prefix = schedule_stream_prefix;
  std::hash<std::string_view> hash;
  auto read = store.read_all(0, [&](const record& r) {
    std::string_view stream = r.stream;
    if (stream.substr(0, prefix.size()) != prefix || hash(stream) % parts != part)
      return true;
    auto e = event_catalog().decode(r);
    if (!e) {
      failure = e.err();
      return false;
    }
    apply_schedule_event(by_stream[r.stream], *e);
    return true;
  });
  if (!read)
    return read.err();
  if (failure)
    return *failure;
  return by_stream;
}

} // namespace

result<std::vector<schedule_snapshot>> load_schedules(const event_store& store) {
  // Two scans of the log side by side, each decoding half of the schedules:
  // a scan is cheap next to decoding, and start-up has the cores to spare.
  constexpr size_t parts = 2;
  auto other = std::async(std::launch::async, [&store] { return load_part(store, 1, parts); });
  auto mine = load_part(store, 0, parts);
  auto theirs = other.get();
  std::vector<schedule_snapshot> out;
  for (auto* part : {&mine, &theirs}) {
    if (!*part)
      return part->err();
    out.reserve(out.size() + (*part)->size());
    for (auto& [stream, d] : **part)
      if (!d.deleted && !d.id.empty())
        out.push_back(std::make_shared<const schedule_data>(std::move(d)));
  }
  return out;
}

} // namespace pincer
