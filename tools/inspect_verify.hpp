#pragma once

#include <cstdint>
#include <ostream>

#include "events/envelope.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// What `events verify` found.
struct verify_summary {
  uint64_t events = 0;            ///< Records read.
  uint64_t last_seq = 0;          ///< Sequence number of the last record read.
  uint64_t gaps = 0;              ///< Places where the sequence skips numbers.
  uint64_t missing = 0;           ///< Sequence numbers skipped in total.
  uint64_t checksum_failures = 0; ///< Records whose stored checksum did not match.
  uint64_t undecodable = 0;       ///< Records with a good checksum that do not decode.

  /// Whether no problem was found.
  bool clean() const {
    return gaps == 0 && checksum_failures == 0 && undecodable == 0;
  }

  /// `{"summary": true, "events", "lastSeq", "gaps", "missing",
  /// "checksumFailures", "undecodable", "ok"}`.
  json to_json() const;
};

/// Checks records one at a time, in log order, and writes one JSON line with
/// a `"problem"` field (`gap`, `checksum`, `undecodable`) per problem: the
/// sequence must run 1, 2, 3, ... without holes, every checksum must match and
/// every event must decode with the catalog.
class log_verifier {
public:
  explicit log_verifier(std::ostream& out) : out_(out) {
  }

  /// Checks the next record of the log.
  void check(const record& r);

  /// The findings so far.
  const verify_summary& summary() const {
    return summary_;
  }

private:
  std::ostream& out_;
  verify_summary summary_;
};

/// `events verify`: walks the whole log, writes a line per problem and then
/// the summary line. Returns the summary.
result<verify_summary> verify_log(const event_store& store, std::ostream& out);

} // namespace pincer
