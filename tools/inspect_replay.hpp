#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// Options of `replay <projection>`.
struct replay_options {
  std::ostream* rows_out = nullptr;     ///< Receives the rebuilt items.
  std::ostream* progress_out = nullptr; ///< Receives `\r` progress updates.
  std::string format = "jsonl";         ///< `jsonl` (one JSON object a line) or `csv`.
};

/// The projections `replay` rebuilds: `audit`, `runs`, `analytics`, `chats`.
const std::vector<std::string>& replay_names();

/// `replay <name>`: rebuilds a projection from sequence 0 in memory, storing
/// nothing in `store`, and exports its items: audit entries and analytics
/// facts in log order, chats and messages as stored, runs as the merged
/// run-history items (newest first). Returns `{"projection", "events",
/// "rows", "items", "byAction", "eventsPerSec"}`, where `byAction` counts
/// rows per event type.
result<json> replay_projection(const event_store& store, const std::string& name,
                               const replay_options& opts);

/// `replay audit`.
result<json> replay_audit(const event_store& store, const replay_options& opts);

/// The progress line: `replaying: <seq> / <last> events (<rate> events/s, ETA <n> s)`;
/// no ETA once done or before a rate is known.
std::string progress_line(uint64_t seq, uint64_t last_seq, double events_per_sec);

/// Writes items as CSV: a header of the first item's keys, then one line per
/// item, quoted where needed (exposed for tests).
class csv_writer {
public:
  explicit csv_writer(std::ostream& out) : out_(out) {
  }
  void write(const json& item);

private:
  std::ostream& out_;
  std::vector<std::string> columns_;
};

} // namespace pincer
