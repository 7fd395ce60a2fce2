#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Turns the data of schema version N into version N + 1.
using upcaster = std::function<json(json)>;

/// What the catalog knows about one event type.
struct event_type_info {
  uint32_t current_version = 1;     ///< Version new events are written with.
  std::vector<upcaster> upcasters;  ///< upcasters[i] lifts version i + 1 to i + 2.
  std::string summary;              ///< Audit summary template (`{id}` = stream id).
  /// Audit outcome (`ok`, `denied`, `failed`) from the event's data; when
  /// empty the outcome is `ok` and the audit log never reads the data.
  std::function<std::string(const json&)> outcome = {};
};

/// The registry of event types: type string -> current schema version,
/// upcasters and how the audit log describes it.
class catalog {
public:
  /// Registers a type; upcasters must number `current_version - 1`.
  void add(std::string type, event_type_info info);

  /// The entry of a type, or nullptr for an unknown type.
  const event_type_info* find(const std::string& type) const;

  /// A draft of `type` at its current schema version.
  draft make(const std::string& type, json data) const;

  /// Parses a record's data and upcasts it to the current version. Fails with
  /// `ec::undecodable_event` for unknown types, bad JSON, a version newer
  /// than known, a failed upcaster or a bad checksum.
  result<envelope> decode(const record& r) const;

  /// All registered type names, sorted.
  std::vector<std::string> types() const;

private:
  std::map<std::string, event_type_info> types_;
};

/// The catalog of every event pincer writes.
const catalog& event_catalog();

} // namespace pincer
