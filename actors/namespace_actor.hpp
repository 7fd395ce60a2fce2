#pragma once

#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/namespace_state.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// Where a namespace's files live and how it reaches the log.
struct namespace_context {
  std::shared_ptr<event_store> store;
  event_log_actor log;
  std::string data_dir;
};

/// State of one namespace actor (or the global-instructions actor).
struct namespace_actor_state {
  std::string stream;
  namespace_state ns;
  namespace_context ctx;

  static inline const char* name = "namespace";
};

/// Reads a stream from the store and applies every event to `ns`.
result<unit> rebuild(const event_store& store, const std::string& stream, namespace_state& ns);

/// The CLAUDE.md path of a namespace (`groups/<name>/`), or of `global`.
std::string instructions_path(const std::string& data_dir, const std::string& name);

/// Writes CLAUDE.md when applied events changed the instructions.
void write_files(const namespace_context& ctx, const std::string& stream,
                 const namespace_state& ns, const std::vector<envelope>& applied);

/// The behaviour of a namespace actor; rebuilds from its stream first.
namespace_actor::behavior_type
namespace_behavior(namespace_actor::stateful_pointer<namespace_actor_state> self,
                   std::string stream, namespace_context ctx);

} // namespace pincer
