#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/core.hpp"
#include "actors/projection.hpp"

namespace pincer {

/// The audit-log projection: one row per event, keyed by sequence number,
/// holding the audit item as JSON text. Reads only event headers, so it
/// never sees event data (and so never a secret).
class audit_projection : public projection {
public:
  std::string name() const override;
  void project(const event_view& e, std::vector<row>& out) const override;
};

/// A parsed `GET /container/audit-log` query.
struct audit_query {
  size_t limit = 100;
  uint64_t before = 0; ///< Cursor: only rows with seq < before (0 = no bound).
  std::optional<int64_t> since;
  std::optional<int64_t> until;
  std::string action;
  std::string actor;
  std::string resource; ///< Exact, or a prefix when it ends with `/`.
};

/// Validates query parameters (`limit`, `cursor`, `since`, `until`, ...).
result<audit_query> parse_audit_query(const query_params& q);

/// Answers a query from the stored projection: `{"items", "nextCursor"}`.
result<json> query_audit_log(const event_store& store, const audit_query& q);

/// Parses `limit` (default 100, 1..1000) from query parameters.
result<size_t> parse_limit(const query_params& q);

/// Parses a non-negative integer parameter; `fallback` when absent.
result<uint64_t> parse_u64(const query_params& q, const std::string& key, uint64_t fallback);

} // namespace pincer
