#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "actors/namespace_state.hpp"

namespace pincer {

/// The index of all namespaces: their current views for reads, plus the
/// rules that span namespaces (unique names, one main group, a chat JID in
/// at most one namespace). Pending commands reserve what they claim until
/// their events are stored, so concurrent commands cannot both pass.
struct directory_state {
  std::map<std::string, namespace_state> namespaces; ///< By key (lower-case name).
  namespace_state global;                            ///< The global instructions.

  /// Applies one stored event (namespace or global-instructions stream).
  void apply(const envelope& e);

  /// The namespace under a name, if it exists.
  const namespace_state* find(const std::string& name) const;

  /// Checks a validated object (new, or an existing one after its changes)
  /// against the cross-namespace rules.
  result<unit> check(const std::string& key, const json& object, bool creating) const;

  /// Claims the name (when creating), main flag and chat JIDs of an object
  /// being written.
  void reserve(const std::string& key, const json& object, bool creating);

  /// Releases what `reserve` claimed.
  void release(const std::string& key, const json& object, bool creating);

  /// Every existing namespace, sorted by name (the `GET` list body).
  json list() const;

  /// The JSON text of `list()`, built once and reused until `apply` changes
  /// the index. Code that changes `namespaces` without `apply` must call
  /// `changed()` afterwards.
  std::shared_ptr<const std::string> list_text() const;

  /// Drops the cached list text.
  void changed() { list_text_.reset(); }

  /// The merged instructions body for a group.
  result<json> merge(const std::string& name) const;

private:
  std::multiset<std::string> reserved_keys_;
  std::map<std::string, std::string> reserved_jids_; ///< jid -> key
  std::optional<std::string> reserved_main_;
  mutable std::shared_ptr<const std::string> list_text_;
};

} // namespace pincer
