#pragma once

// The analytics projection (`GET /container/analytics`) and the in-memory
// model that answers its queries.
//
// Rows (projection `analytics`), keyed by be64(seq) so they replay in log
// order, hold one small JSON fact per event that analytics counts:
//
//   {"k":"run","at","group","status","durationMs"}  run.finished
//   {"k":"drop","at","group"}                        run.dropped
//   {"k":"in","at","channel"}                        channel.message_received
//   {"k":"out","at","channel"}                       first part of a message sent
//   {"k":"sched","id","group"}                       schedule.created / updated
//   {"k":"fire","at","id"}                           schedule.fired
//
// The model folds these rows into hourly buckets (UTC), keeping every run
// duration, so percentiles are exact.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/core.hpp"
#include "actors/projection.hpp"

namespace pincer {

/// The projection's name in the store.
constexpr const char* analytics_name = "analytics";

/// The projection: one fact row per counted event, nothing else.
class analytics_projection : public projection {
public:
  std::string name() const override;
  void project(const event_view& e, std::vector<row>& out) const override;
};

/// Run counts of one group in one hour.
struct run_counts {
  uint64_t runs = 0;    ///< Finished runs (success + error + timeout).
  uint64_t success = 0;
  uint64_t error = 0;
  uint64_t timeout = 0;
  uint64_t dropped = 0; ///< Batches dropped after their retries.
  uint64_t fired = 0;   ///< Schedule firings.
  std::vector<int64_t> durations; ///< Duration of every finished run, in ms.
};

/// Message counts of one channel.
struct traffic_counts {
  uint64_t in = 0;
  uint64_t out = 0;
};

/// One UTC hour of activity.
struct hour_bucket {
  std::map<std::string, run_counts> groups;       ///< By group name.
  std::map<std::string, traffic_counts> channels; ///< By channel name.
};

/// A parsed `GET /container/analytics` query; times are epoch ms, already
/// aligned to the bucket (from rounded down, to rounded up).
struct analytics_query {
  int64_t from = 0;
  int64_t to = 0;
  std::string bucket = "day"; ///< `hour` or `day`.
  std::string group;          ///< Empty: every group (case-insensitive match).
};

/// Validates `from`, `to` (RFC 3339), `bucket` and `group`; the default
/// window is the 7 days before `now`, `bucket=day`.
result<analytics_query> parse_analytics_query(const query_params& q, int64_t now);

/// The folded facts, answering analytics queries.
class analytics_model {
public:
  /// Folds one stored row (in key order, i.e. log order).
  void fold(const std::string& value);

  /// Drops everything.
  void clear();

  /// The answer of `GET /container/analytics`.
  json answer(const analytics_query& q) const;

  /// All-time run counts by status and channel traffic:
  /// `{"runs": {"total", "success", "error", "timeout", "dropped"},
  ///   "channels": {"<name>": {"messagesIn", "messagesOut"}}}`.
  json totals() const;

  /// Number of rows folded so far.
  uint64_t facts() const {
    return facts_;
  }

private:
  run_counts& group_at(int64_t at, const std::string& group);

  std::map<int64_t, hour_bucket> hours_; ///< By hour index (epoch ms / 3600000).
  std::unordered_map<std::string, std::string> schedule_groups_;
  run_counts all_runs_;
  std::map<std::string, traffic_counts> all_channels_;
  uint64_t facts_ = 0;
};

/// The nearest-rank percentile (`p` in 0..100) of `values` (reordered);
/// nullopt when empty.
std::optional<int64_t> percentile(std::vector<int64_t>& values, double p);

/// Folds the stored rows after `after` (a sequence number) into the model.
result<unit> load_analytics(const event_store& store, uint64_t after, analytics_model& model);

} // namespace pincer
