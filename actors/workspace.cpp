#include "actors/workspace.hpp"

#include <filesystem>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "actors/namespace_actor.hpp"
#include "actors/namespace_state.hpp"
#include "actors/tail.hpp"
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
  auto make_folders = [store, data_dir, detached](uint64_t& position) {
    // Folder creation is background work: on its own thread it yields the
    // CPU to request handling under load and catches up when there is room.
    thread_local bool lowered = false;
    if (detached && !lowered) {
      lowered = true;
      ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
    }
    store->read_all(position, [&](const record& r) {
      if (!materialize(r, data_dir))
        spdlog::warn("event {} names no valid namespace folder", r.seq);
      position = r.seq;
      return true;
    });
    return true;
  };
  auto after = store->last_seq();
  return spawn_follower(sys, std::move(store), std::move(log), after, make_folders, detached);
}

} // namespace pincer
