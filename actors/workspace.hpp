#pragma once

#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// Makes the files one stored event implies: a created namespace gets its
/// folder and an empty `CLAUDE.md` unless one is there already. Returns
/// false when the event names no valid folder.
bool materialize(const record& r, const std::string& data_dir);

/// Spawns the workspace actor: it follows the log from its current end and
/// creates namespace folders off the request path, so creating a namespace
/// costs no file-system work before its answer. (Instructions are written
/// by the namespace actor itself; missing files are restored at start-up.)
/// `detached` gives it its own thread (production).
caf::actor spawn_workspace(caf::actor_system& sys, std::shared_ptr<event_store> store,
                           event_log_actor log, std::string data_dir, bool detached);

} // namespace pincer
