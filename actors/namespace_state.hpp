#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Largest instructions file accepted (256 KiB).
constexpr size_t max_instructions_bytes = 256 * 1024;

/// Validates a POST body and returns the normalised namespace object (no
/// `id`, no timestamps) with every default filled in.
result<json> validate_new_namespace(const json& body, const std::string& assistant_name);

/// Validates a PUT body against the current object and returns the
/// normalised changes (only fields that were given).
result<json> validate_namespace_changes(const json& body, const json& current);

/// Validates `{"content": "..."}` and returns the content.
result<std::string> validate_instructions(const json& body);

/// The object after applying normalised changes (containerConfig merges per key).
json merge_changes(json object, const json& changes);

/// Whether a name is a valid namespace name (not checking reserved names).
bool valid_namespace_name(const std::string& name);

/// Lower-case form of a name, the key namespaces are unique by.
std::string namespace_key(const std::string& name);

/// One namespace (or the global instructions) rebuilt from its stream.
struct namespace_state {
  uint64_t version = 0;       ///< Stream version applied so far.
  bool exists = false;        ///< Created and not deleted.
  json object;                ///< The namespace fields (with `id`).
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string instructions;   ///< Content of CLAUDE.md.
  int64_t instructions_at = 0;

  /// Applies one event of this stream.
  void apply(const envelope& e);

  /// The API object: fields plus `createdAt` / `updatedAt`.
  json view() const;

  /// `{"name", "content", "updatedAt"}`.
  json instructions_view(const std::string& name) const;

  /// Events for creating it from a validated object; `existing` is the
  /// CLAUDE.md already on disk, adopted as its instructions.
  result<std::vector<draft>> decide_create(json object,
                                           const std::optional<std::string>& existing) const;

  /// Events for validated changes.
  result<std::vector<draft>> decide_update(const json& changes) const;

  /// Events for a delete.
  result<std::vector<draft>> decide_delete(bool force) const;

  /// Events for new instructions; `must_exist` is false for `global`.
  result<std::vector<draft>> decide_instructions(const std::string& content,
                                                 bool must_exist = true) const;
};

} // namespace pincer
