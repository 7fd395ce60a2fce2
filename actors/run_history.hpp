#pragma once

// The run-history projection (`GET /container/run-history`, the recent runs
// of `GET /container/queue/groups/{group}`), rebuilt from `run.started`,
// `run.finished` and `run.dropped`.
//
// Rows (projection `run-history`), with P = be64(startedAt) runId '\0':
//
//   'r' P 's'                     -> the started part of a run (JSON)
//   'r' P 'f'                     -> the finished part of a run (JSON)
//   'g' group-key '\0' P 's'|'f'  -> the same, per group (lower-case name)
//   'd' runId                     -> the run's batch was dropped after retries
//
// A run's item is its started part overlaid with its finished part, so the
// two events need only agree on `runId` and `startedAt`; a `dropped` marker
// turns the status to `dropped`. Both parts of a run share P, so the rows of
// one run are adjacent and the newest run comes first in a reverse scan.

#include <cstdint>
#include <string>
#include <vector>

#include "actors/core.hpp"
#include "actors/projection.hpp"

namespace pincer {

/// The projection: rows from one event at a time, nothing else.
class run_history_projection : public projection {
public:
  std::string name() const override;
  void project(const event_view& e, std::vector<row>& out) const override;
};

/// The projection's name in the store.
constexpr const char* run_history_name = "run-history";

/// A parsed `GET /container/run-history` query.
struct run_history_query {
  std::string group;   ///< Empty: every group; matched case-insensitively.
  std::string status;  ///< Empty or running|success|error|timeout|dropped.
  std::string trigger; ///< Empty or message|schedule|follow-up.
  size_t limit = 100;
  std::string before;  ///< Decoded cursor: only runs older than this run key.
};

/// Validates `group`, `status`, `trigger`, `limit` (1..1000, default 100)
/// and `cursor`; a bad value is `validation_failed` naming the field.
result<run_history_query> parse_run_history_query(const query_params& q);

/// Answers a query from the stored projection: `{"items", "nextCursor"}`,
/// newest first; `nextCursor` is null on the last page.
result<json> query_run_history(const event_store& store, const run_history_query& q);

/// The newest `n` runs of a group (a JSON array, newest first).
result<json> recent_runs(const event_store& store, const std::string& group, size_t n = 10);

} // namespace pincer
