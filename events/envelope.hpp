#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/error.hpp"

namespace pincer {

using json = nlohmann::json;

/// The fields every stored event carries besides its data.
struct event_header {
  uint64_t seq = 0;            ///< Position in the global log, from 1.
  std::string stream;          ///< Aggregate stream, e.g. `namespace/reporting`.
  uint64_t stream_version = 0; ///< Position inside the stream, from 1.
  std::string type;            ///< Stable dotted type, e.g. `namespace.created`.
  uint32_t schema_version = 1; ///< Schema version the data was written with.
  int64_t at = 0;              ///< Append time, milliseconds since the epoch (UTC).
  std::string actor;           ///< Who caused it (`key:xxxxxxxx`, `system`, ...).
  std::string request_id;      ///< The HTTP request id, if any.
};

/// An event as stored: header plus data as JSON text, not yet decoded.
struct record : event_header {
  std::string data;
  bool checksum_ok = true; ///< False when the stored checksum did not match.
};

/// A decoded event: data parsed and upcast to the current schema version.
struct envelope : event_header {
  json data;
};

/// An event that has not been appended yet.
struct draft {
  std::string type;
  uint32_t schema_version = 1;
  json data;
};

/// Sentinel for `append_request::expected_version`: skip the version check.
constexpr uint64_t any_version = UINT64_MAX;

/// One stream's share of an atomic append.
struct append_request {
  std::string stream;
  uint64_t expected_version = any_version; ///< 0 means "the stream is new".
  std::string actor;
  std::string request_id;
  std::vector<draft> events;
};

/// The camelCase JSON form of a decoded envelope (the API and tool format).
json to_json(const envelope& e);

/// The JSON form of a stored record; `data` is embedded as parsed JSON when
/// it parses, else as a string.
json to_json(const record& r);

/// Whether a stream name is acceptable: non-empty, printable ASCII, no NUL,
/// at most 200 bytes.
bool valid_stream_name(const std::string& stream);

} // namespace pincer
