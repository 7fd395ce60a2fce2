#pragma once

// The `pincer events` tools as plain functions over an `event_store`: each
// reads the log and writes JSON to a stream, so tests run them on a memory
// store and the command line only parses options and opens the store.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "events/envelope.hpp"
#include "storage/event_store.hpp"

namespace pincer {

// -- opening ------------------------------------------------------------------

/// Opens the event store of a data folder (`<data_dir>/events`) read-only, so
/// it works on a stopped server's folder and beside a running server. Fails
/// with `ec::not_found` and a clear message when the folder does not exist.
result<std::unique_ptr<event_store>> open_event_log(const std::string& data_dir);

// -- formatting ---------------------------------------------------------------

/// The text shown in place of a secret value.
constexpr const char* redacted_text = "[redacted]";

/// Whether a data field with this key holds a secret (`credential`,
/// `botToken`, `appToken`, `accessToken`, `appSecret`, `signingSecret`,
/// `verifyToken`, `token`, `secret`, `password`).
bool is_secret_key(std::string_view key);

/// Replaces the value of every field named by `is_secret_key`, at any depth,
/// with "[redacted]". A string that is not JSON (the raw data of a broken
/// event) is replaced whole when it mentions a secret key.
json redact(json data);

/// The one place where the tools turn a stored event into output: the decoded
/// envelope (`to_json(envelope)`, data upcast to the current schema), or the
/// raw record plus `"undecodable": true` when it cannot be decoded. Data
/// fields that hold secrets are shown as "[redacted]".
json format_event(const record& r);

/// Writes `j` as one compact line.
void write_line(std::ostream& out, const json& j);

// -- filters ------------------------------------------------------------------

/// Which events `tail` and `dump` print; empty fields match everything.
struct event_filter {
  std::string stream_prefix; ///< Only streams starting with this.
  std::string type;          ///< Only this exact event type.

  /// Whether `r` passes the filter.
  bool matches(const record& r) const;
};

// -- commands -----------------------------------------------------------------

/// `events ls`: one `{"stream","version"}` line per stream starting with
/// `prefix`. Returns the number of streams.
size_t list_streams(const event_store& store, const std::string& prefix, std::ostream& out);

/// Options of `events tail`.
struct tail_options {
  size_t count = 20;   ///< How many of the last matching events.
  event_filter filter;
};

/// `events tail`: the last `count` matching events, oldest first, as JSON
/// lines. Returns the sequence number of the last event read (the position
/// to follow from).
result<uint64_t> tail_events(const event_store& store, const tail_options& opts,
                             std::ostream& out);

/// Options of `events dump`.
struct dump_options {
  uint64_t after = 0;           ///< Start after this sequence number.
  event_filter filter;
  std::optional<size_t> limit;  ///< Stop after this many printed events.
};

/// `events dump`: every matching event after `after`, oldest first, as JSON
/// lines. Returns the sequence number of the last event read, or `after`
/// when none was read.
result<uint64_t> dump_events(const event_store& store, const dump_options& opts,
                             std::ostream& out);

/// `events show`: the event `seq` as pretty JSON. Fails with `ec::not_found`
/// when the log holds no such event.
result<unit> show_event(const event_store& store, uint64_t seq, std::ostream& out);

/// `events stats`: `{"events", "lastSeq", "byType", "byStreamPrefix",
/// "firstAt", "lastAt", "projections"}`; a stream's prefix is its name up to
/// the first `/`; `projections` gives each stored projection's checkpoint and
/// how many events it is behind.
result<json> event_stats(const event_store& store);

} // namespace pincer
