#include "events/schedule_events.hpp"

#include "events/catalog.hpp"

namespace pincer {

std::string schedule_stream(const std::string& id) {
  return schedule_stream_prefix + id;
}

void register_schedule_events(catalog& c) {
  using namespace event_types;
  c.add(schedule_created, {1, {}, "Created schedule {id}"});
  c.add(schedule_updated, {1, {}, "Updated schedule {id}"});
  c.add(schedule_paused, {1, {}, "Paused schedule {id}"});
  c.add(schedule_resumed, {1, {}, "Resumed schedule {id}"});
  c.add(schedule_fired, {1, {}, "Schedule {id} fired"});
  c.add(schedule_completed, {1, {}, "Completed schedule {id}"});
  c.add(schedule_skipped, {1, {}, "Skipped a run of schedule {id}: it was already queued"});
  event_type_info failed{1, {}, "Could not queue a run of schedule {id}"};
  failed.outcome = [](const json&) { return "failed"; };
  c.add(schedule_dispatch_failed, failed);
  c.add(schedule_deleted, {1, {}, "Deleted schedule {id}"});
}

} // namespace pincer
