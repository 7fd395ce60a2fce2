#pragma once

#include <cstdint>
#include <functional>
#include <ostream>

#include "events/envelope.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// Options of `replay audit`.
struct replay_options {
  std::ostream* rows_out = nullptr;     ///< Receives each row's value as a line.
  std::ostream* progress_out = nullptr; ///< Receives `\r` progress updates.
};

/// `replay audit`: rebuilds the audit projection from sequence 0 in memory,
/// storing nothing. Returns `{"events", "rows", "byAction", "eventsPerSec"}`,
/// where `byAction` counts rows per audit action (the event type).
result<json> replay_audit(const event_store& store, const replay_options& opts);

/// The progress line: `replaying: <seq> / <last> events (<rate> events/s)`.
std::string progress_line(uint64_t seq, uint64_t last_seq, double events_per_sec);

} // namespace pincer
