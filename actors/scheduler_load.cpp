#include "actors/scheduler.hpp"

#include <optional>

#include "events/catalog.hpp"
#include "events/schedule_events.hpp"

namespace pincer {

result<std::vector<schedule_snapshot>> load_schedules(const event_store& store) {
  // One scan of the log: far cheaper than a read per stream with many schedules.
  std::unordered_map<std::string, schedule_state> by_stream;
  std::optional<error> failure;
  const std::string prefix = schedule_stream_prefix;
  auto read = store.read_all(0, [&](const record& r) {
    if (r.stream.compare(0, prefix.size(), prefix) != 0)
      return true;
    auto e = event_catalog().decode(r);
    if (!e) {
      failure = e.err();
      return false;
    }
    by_stream[r.stream].apply(*e);
    return true;
  });
  if (!read)
    return read.err();
  if (failure)
    return *failure;
  std::vector<schedule_snapshot> out;
  out.reserve(by_stream.size());
  for (auto& [stream, s] : by_stream)
    if (s.data && !s.data->deleted && !s.data->id.empty())
      out.push_back(std::move(s.data));
  return out;
}

} // namespace pincer
