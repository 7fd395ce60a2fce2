#include "actors/core_setup.hpp"

#include <cstdlib>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "actors/group_run.hpp"
#include "events/catalog.hpp"
#include "events/queue_events.hpp"

namespace pincer {

runtime_settings runtime_settings_from(const core_config& cfg) {
  runtime_settings out;
  out.configured = parse_backend(cfg.runtime);
  out.default_image = cfg.agent_image;
  out.build_context = cfg.image_context;
  out.build_file = cfg.image_file;
  out.build_timeout = cfg.build_timeout;
  out.detect_at_spawn = false;
  return out;
}

mount_context mount_context_from(const core_config& cfg) {
  mount_context out;
  if (auto home = std::getenv("HOME"))
    out.home = home;
  out.protected_paths = cfg.protected_paths;
  out.protected_paths.push_back(std::filesystem::absolute(cfg.data_dir).string());
  return out;
}

result<reply> read_events_page(const event_store& store, uint64_t after, size_t limit,
                               const std::string& prefix) {
  json items = json::array();
  json next = nullptr;
  auto read = store.read_all(after, [&](const record& r) {
    if (!prefix.empty() && r.stream.compare(0, prefix.size(), prefix) != 0)
      return true;
    if (items.size() == limit) {
      next = std::to_string(items.back()["seq"].get<uint64_t>());
      return false;
    }
    auto e = event_catalog().decode(r);
    items.push_back(e ? to_json(*e) : to_json(r));
    return true;
  });
  if (!read)
    return read.err();
  return reply{200, json{{"items", std::move(items)}, {"nextCursor", std::move(next)}}};
}

void stop_orphan_containers(caf::actor_system& system, const runtime_actor& runtime,
                            process_runner& runner, const event_log_actor& log,
                            const std::string& owner) {
  caf::scoped_actor self{system};
  runtime_info info;
  self->request(runtime, std::chrono::seconds{60}, runtime_atom::value)
    .receive([&](runtime_info& found) { info = std::move(found); },
             [](caf::error& err) { spdlog::warn("runtime: {}", caf::to_string(err)); });
  auto names = stop_orphans(runner, info, owner);
  if (names.empty())
    return;
  spdlog::info("stopped {} container(s) left by an earlier process", names.size());
  append_request req{queue_settings_stream, any_version, "system", "",
                     {event_catalog().make(event_types::queue_orphans_stopped,
                                           json{{"containers", names}})}};
  self->request(log, std::chrono::seconds{30}, append_atom::value, std::move(req))
    .receive([](std::vector<record>&) {},
             [](caf::error& err) { spdlog::error("log: {}", caf::to_string(err)); });
}

} // namespace pincer
