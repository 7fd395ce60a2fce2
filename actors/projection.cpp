#include "actors/projection.hpp"

#include <optional>

#include "events/catalog.hpp"

namespace pincer {

result<unit> read_stream_events(const event_store& store, const std::string& stream,
                                uint64_t from_version,
                                const std::function<void(const envelope&)>& apply) {
  std::optional<error> failure;
  auto read = store.read_stream(stream, from_version, [&](const record& r) {
    auto e = event_catalog().decode(r);
    if (!e) {
      failure = e.err();
      return false;
    }
    apply(*e);
    return true;
  });
  if (!read)
    return read.err();
  if (failure)
    return *failure;
  return unit{};
}

result<uint64_t> catch_up(event_store& store, const projection& p, size_t chunk) {
  auto name = p.name();
  auto position = store.checkpoint(name);
  std::vector<row> rows;
  size_t pending = 0;
  result<unit> committed = unit{};
  auto flush = [&](uint64_t seq) {
    committed = store.commit_projection(name, seq, rows);
    rows.clear();
    pending = 0;
    return static_cast<bool>(committed);
  };
  auto read = store.read_all(position, [&](const record& r) {
    p.project(r, rows);
    position = r.seq;
    return ++pending < chunk || flush(position);
  });
  if (!read)
    return read.err();
  if (!committed)
    return committed.err();
  if (pending > 0 && !flush(position))
    return committed.err();
  return position;
}

result<uint64_t> replay(const event_store& store, const projection& p,
                        const std::function<void(const row&)>& sink,
                        const std::function<void(uint64_t)>& progress) {
  uint64_t count = 0;
  std::vector<row> rows;
  auto read = store.read_all(0, [&](const record& r) {
    rows.clear();
    p.project(r, rows);
    for (auto& x : rows)
      sink(x);
    if (++count % 65536 == 0 && progress)
      progress(r.seq);
    return true;
  });
  if (!read)
    return read.err();
  return count;
}

} // namespace pincer
