#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// An event as projections see it: the stored record, and its data parsed
/// on first use, once however many projections read it. Made implicitly
/// from a record, which must outlive it.
class event_view {
public:
  event_view(const record& r) : record_(r) {
  }

  /// The stored event.
  const record& rec() const {
    return record_;
  }

  /// The data parsed: discarded (`is_discarded()`) when it is not JSON.
  const json& data() const {
    if (!data_)
      data_ = json::parse(record_.data, nullptr, false);
    return *data_;
  }

private:
  const record& record_;
  mutable std::optional<json> data_;
};

/// A read model derived from the log: turns each event into rows.
class projection {
public:
  virtual ~projection() = default;

  /// The projection's name, its key space in the store.
  virtual std::string name() const = 0;

  /// Appends the rows one event produces (possibly none).
  virtual void project(const event_view& e, std::vector<row>& out) const = 0;
};

/// Decodes every event of a stream after `from_version` and hands it to
/// `apply`; stops at the first event that does not decode.
result<unit> read_stream_events(const event_store& store, const std::string& stream,
                                uint64_t from_version,
                                const std::function<void(const envelope&)>& apply);

/// Brings a stored projection up to the end of the log, committing rows and
/// the checkpoint every `chunk` events. Returns the new checkpoint.
result<uint64_t> catch_up(event_store& store, const projection& p, size_t chunk = 4096);

/// Brings several stored projections up to the end of the log in one pass:
/// reads from the lowest checkpoint on, hands each event to every projection
/// that has not seen it, and commits the rows and checkpoints of all of them
/// in one atomic write every `chunk` events. Returns the end of the log read.
result<uint64_t> catch_up(event_store& store, const std::vector<const projection*>& views,
                          size_t chunk = 4096);

/// Rebuilds a projection from sequence 0 without storing anything: calls
/// `sink` for every row. Returns the number of events read.
result<uint64_t> replay(const event_store& store, const projection& p,
                        const std::function<void(const row&)>& sink,
                        const std::function<void(uint64_t seq)>& progress = {});

} // namespace pincer
