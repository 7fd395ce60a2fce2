#include "events/container_events.hpp"

#include <string>

#include "events/catalog.hpp"

namespace pincer {

void register_container_events(catalog& c) {
  using namespace event_types;
  c.add(runtime_detected, {1, {}, "Detected container runtime"});
  c.add(image_build_started, {1, {}, "Started building image {id}"});
  event_type_info finished{1, {}, "Finished building image {id}"};
  finished.outcome = [](const json& d) { return d.value("success", false) ? "ok" : "failed"; };
  c.add(image_build_finished, finished);
  c.add(mount_allowlist_set, {1, {}, "Set the mount allowlist"});
  event_type_info validated{1, {}, "Validated a mount"};
  validated.outcome = [](const json& d) { return d.value("allowed", false) ? "ok" : "denied"; };
  c.add(mount_validated, validated);
}

} // namespace pincer
