#pragma once

// Shared by the files of the group actor (actors/group_actor.cpp,
// actors/group_files.cpp); not for use elsewhere.

#include <chrono>
#include <filesystem>
#include <vector>

#include <spdlog/spdlog.h>

#include "actors/group_actor.hpp"

namespace pincer::group_detail {

using self_ptr = group_actor::stateful_pointer<group_actor_state>;

constexpr auto log_timeout = std::chrono::seconds{30};

inline int64_t now(self_ptr self) {
  return self->state.ctx.clock();
}

inline std::filesystem::path ipc_root(self_ptr self) {
  return std::filesystem::path{self->state.ctx.data_dir} / "ipc";
}

/// Tells the supervisor the group's queue entry changed.
inline void publish(self_ptr self) {
  self->send(self->state.supervisor, status_atom::value, self->state.queue.group,
             self->state.entry());
}

/// Appends drafts to the group's stream, applies them, then calls `then`.
/// Blocks the mailbox until the log answers, so decisions never interleave.
template <class F>
void commit(self_ptr self, std::vector<draft> drafts, const request_meta& meta, F then) {
  if (drafts.empty()) {
    then();
    return;
  }
  auto& st = self->state;
  append_request req{st.stream, st.queue.version, meta.actor, meta.request_id, drafts};
  self->request(st.ctx.log, write_path_timeout, append_atom::value, std::move(req))
    .await(
      [self, drafts, then](std::vector<record>& stored) mutable {
        for (size_t i = 0; i < stored.size(); ++i) {
          envelope e;
          static_cast<event_header&>(e) = stored[i];
          e.data = std::move(drafts[i].data);
          self->state.queue.apply(e);
        }
        then();
        publish(self);
      },
      [self](caf::error& err) {
        spdlog::error("group {}: cannot append: {}", self->state.queue.group,
                      caf::to_string(err));
      });
}

/// Meta of what the server decides on its own.
inline const request_meta system_meta{"system", ""};

/// Handles every waiting IPC file of the group.
void handle_ipc_files(self_ptr self);

/// Makes the group's IPC folders (`POST /container/ipc/directories`).
caf::result<reply> make_ipc_dirs(self_ptr self, json& ns, const request_meta& meta);

} // namespace pincer::group_detail
