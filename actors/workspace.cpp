#include "actors/workspace.hpp"

#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "actors/namespace_actor.hpp"
#include "actors/namespace_state.hpp"
#include "events/namespace_events.hpp"

namespace pincer {

bool materialize(const record& r, const std::string& data_dir) {
  if (r.type != event_types::namespace_created)
    return true;
  auto data = json::parse(r.data, nullptr, false);
  if (data.is_discarded() || !data.contains("name") || !data["name"].is_string()
      || !valid_namespace_name(data["name"].get<std::string>()))
    return false;
  auto path = instructions_path(data_dir, data["name"].get<std::string>());
  std::error_code err;
  std::filesystem::create_directories(std::filesystem::path{path}.parent_path(), err);
  if (err) {
    spdlog::error("cannot create the folder of {}: {}", path, err.message());
    return false;
  }
  // O_EXCL: instructions written meanwhile (or adopted) are never clobbered.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0)
    ::close(fd);
  return true;
}

caf::actor spawn_workspace(caf::actor_system& sys, std::shared_ptr<event_store> store,
                           event_log_actor log, std::string data_dir, bool detached) {
  auto behavior = [store, log, data_dir](caf::event_based_actor* self) {
    auto position = std::make_shared<uint64_t>(store->last_seq());
    self->send(caf::actor_cast<caf::actor>(log), subscribe_atom::value,
               caf::actor_cast<caf::actor>(self));
    return caf::behavior{
      [=](notify_atom, uint64_t last_seq) {
        if (last_seq <= *position)
          return;
        store->read_all(*position, [&](const record& r) {
          if (!materialize(r, data_dir))
            spdlog::warn("event {} names no valid namespace folder", r.seq);
          *position = r.seq;
          return true;
        });
      },
    };
  };
  if (detached)
    return sys.spawn<caf::detached>(behavior);
  return sys.spawn(behavior);
}

} // namespace pincer
