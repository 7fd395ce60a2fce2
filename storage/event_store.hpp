#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Called per record while reading; return false to stop.
using record_visitor = std::function<bool(const record&)>;

/// Called per projection row while scanning; return false to stop.
using row_visitor = std::function<bool(const std::string& key, const std::string& value)>;

/// A projection row to store: key (ordered bytewise) and value.
using row = std::pair<std::string, std::string>;

/// One projection's share of a commit: its new rows and checkpoint.
struct projection_commit {
  std::string projection;
  uint64_t checkpoint = 0;
  std::vector<row> rows;
};

/// The append-only event log plus the small side stores that live next to
/// it. Implementations are safe to use from any thread; log appends come
/// from one writer (the event-log actor), projection rows from their runner.
class event_store {
public:
  virtual ~event_store() = default;

  // -- the log ----------------------------------------------------------------

  /// Appends every request in one atomic write (one WriteBatch, one sync when
  /// durable). Each request succeeds or fails on its own: a request whose
  /// `expected_version` does not match its stream's version (counting earlier
  /// requests of the same call) fails with `ec::conflict` and writes nothing.
  /// Returns one result per request, in order, holding the stored records.
  virtual std::vector<result<std::vector<record>>>
  append(const std::vector<append_request>& requests) = 0;

  /// The highest sequence number in the log; 0 when empty.
  virtual uint64_t last_seq() const = 0;

  /// The version of a stream; 0 when it has no events.
  virtual uint64_t stream_version(const std::string& stream) const = 0;

  /// Visits the events of `stream` with version greater than `after`.
  virtual result<unit> read_stream(const std::string& stream, uint64_t after,
                                   const record_visitor& f) const = 0;

  /// Visits the global log from sequence `after + 1` on, in order.
  virtual result<unit> read_all(uint64_t after, const record_visitor& f) const = 0;

  /// Lists the streams whose name starts with `prefix`, with their versions.
  virtual std::vector<std::pair<std::string, uint64_t>>
  streams(const std::string& prefix) const = 0;

  // -- projections ------------------------------------------------------------

  /// The stored checkpoint (last applied sequence) of a projection; 0 if none.
  virtual uint64_t checkpoint(const std::string& projection) const = 0;

  /// Stores rows and the new checkpoint of a projection in one atomic write.
  virtual result<unit> commit_projection(const std::string& projection,
                                         uint64_t checkpoint,
                                         const std::vector<row>& rows) = 0;

  /// Stores the rows and checkpoints of several projections in one atomic
  /// write; nothing is stored when one projection name is invalid.
  virtual result<unit> commit_projections(const std::vector<projection_commit>& commits) = 0;

  /// Visits a projection's rows in key order (descending when `reverse`),
  /// starting at `start` inclusive (at the first or last row when empty).
  virtual result<unit> scan_projection(const std::string& projection,
                                       const std::string& start, bool reverse,
                                       const row_visitor& f) const = 0;

  /// Deletes every row and the checkpoint of a projection.
  virtual result<unit> clear_projection(const std::string& projection) = 0;

  // -- key store --------------------------------------------------------------

  /// Stores key material under an id (overwrites).
  virtual result<unit> put_key(const std::string& id, const std::string& material) = 0;

  /// The key material stored under an id, if any.
  virtual std::optional<std::string> key(const std::string& id) const = 0;

  /// Erases key material so it cannot be read back.
  virtual result<unit> erase_key(const std::string& id) = 0;
};

/// Options for opening the RocksDB store.
struct rocksdb_options {
  bool sync = true;       ///< fsync every append (`--durability fsync`).
  bool read_only = false; ///< Open read-only (offline tools beside a server).
};

/// A store that keeps everything in memory (tests, offline tools).
std::unique_ptr<event_store> make_memory_store();

/// Opens (creating when allowed) the RocksDB store in `path`. Refuses a
/// layout version newer than this build's with `ec::layout_too_new`.
result<std::unique_ptr<event_store>> open_rocksdb_store(const std::string& path,
                                                        rocksdb_options opts);

/// The storage layout version this build writes. Layout 2 checksums records
/// with CRC-32C; a layout 1 store (zlib CRC-32) stays readable record by
/// record and is marked 2 when opened for writing.
constexpr uint32_t storage_layout_version = 2;

} // namespace pincer
