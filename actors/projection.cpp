#include "actors/projection.hpp"

#include <algorithm>
#include <future>
#include <optional>

#include "events/catalog.hpp"
#include "storage/pipelined_read.hpp"

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

namespace {

/// Commits full chunks on a second thread while the next chunk is read and
/// projected: one commit at a time, in order, so each checkpoint still lands
/// with its rows and after the ones before.
class background_commits {
public:
  explicit background_commits(event_store& store) : store_(store) {
  }

  ~background_commits() {
    wait();
  }

  /// Waits for the commit in flight, then starts this one. False (and
  /// nothing started) when an earlier commit failed.
  bool start(std::vector<projection_commit> commits) {
    if (!wait())
      return false;
    running_ = std::async(std::launch::async, [this, c = std::move(commits)] {
      return store_.commit_projections(c);
    });
    return true;
  }

  /// Waits for the commit in flight; false when it or an earlier one failed.
  bool wait() {
    if (running_.valid())
      outcome_ = running_.get();
    return static_cast<bool>(outcome_);
  }

  /// The first failure, or unit.
  const result<unit>& outcome() const {
    return outcome_;
  }

private:
  event_store& store_;
  std::future<result<unit>> running_;
  result<unit> outcome_ = unit{};
};

} // namespace

result<uint64_t> catch_up(event_store& store, const projection& p, size_t chunk) {
  return catch_up(store, std::vector<const projection*>{&p}, chunk);
}

result<uint64_t> catch_up(event_store& store, const std::vector<const projection*>& views,
                          size_t chunk) {
  if (views.empty())
    return store.last_seq();
  // One commit per projection; `checkpoint` is where it stands so far.
  std::vector<projection_commit> commits(views.size());
  uint64_t position = UINT64_MAX;
  for (size_t i = 0; i < views.size(); ++i) {
    commits[i].projection = views[i]->name();
    commits[i].checkpoint = store.checkpoint(commits[i].projection);
    position = std::min(position, commits[i].checkpoint);
  }
  size_t pending = 0;
  background_commits writer{store};
  // The rows and checkpoints of every projection that read the chunk.
  auto take_chunk = [&] {
    std::vector<projection_commit> ready;
    for (auto& c : commits)
      if (c.checkpoint == position) {
        ready.push_back({c.projection, c.checkpoint, std::move(c.rows)});
        c.rows.clear();
      }
    pending = 0;
    return ready;
  };
  auto read = store.read_all(position, [&](const record& r) {
    event_view e{r};
    for (size_t i = 0; i < views.size(); ++i)
      if (commits[i].checkpoint < r.seq) {
        views[i]->project(e, commits[i].rows);
        commits[i].checkpoint = r.seq;
      }
    position = r.seq;
    return ++pending < chunk || writer.start(take_chunk());
  });
  if (!writer.wait())
    return writer.outcome().err();
  if (!read)
    return read.err();
  // The last, partial chunk (all of a live catch-up) on this thread.
  if (pending > 0)
    if (auto last = store.commit_projections(take_chunk()); !last)
      return last.err();
  return position;
}

result<uint64_t> replay(const event_store& store, const projection& p,
                        const std::function<void(const row&)>& sink,
                        const std::function<void(uint64_t)>& progress) {
  uint64_t count = 0;
  std::vector<row> rows;
  auto read = read_all_pipelined(store, 0, [&](const record& r) {
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
