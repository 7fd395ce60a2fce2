#pragma once

#include <map>
#include <memory>
#include <string>

#include "actors/directory_state.hpp"
#include "actors/interfaces.hpp"
#include "actors/namespace_actor.hpp"

namespace pincer {

/// State of the namespace directory actor.
struct directory_actor_state {
  directory_state index;
  namespace_context ctx;
  std::string assistant_name;
  std::map<std::string, namespace_actor> actors; ///< Spawned on demand, by stream.

  static inline const char* name = "directory";
};

/// Rebuilds the index from every namespace stream and the global
/// instructions, and restores missing CLAUDE.md files.
result<unit> rebuild(const event_store& store, directory_state& index);

/// The directory's behaviour.
directory_actor::behavior_type
directory(directory_actor::stateful_pointer<directory_actor_state> self, namespace_context ctx,
          std::string assistant_name);

} // namespace pincer
