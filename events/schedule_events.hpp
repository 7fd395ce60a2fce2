#pragma once

#include <string>

namespace pincer {

class catalog;

/// Event types of task schedules (stream `schedule/<id>`).
namespace event_types {
constexpr const char* schedule_created = "schedule.created";
constexpr const char* schedule_updated = "schedule.updated";
constexpr const char* schedule_paused = "schedule.paused";
constexpr const char* schedule_resumed = "schedule.resumed";
/// A slot fired: `nextRun` already advanced, the run is queued next.
constexpr const char* schedule_fired = "schedule.fired";
/// A `once` schedule fired and is done.
constexpr const char* schedule_completed = "schedule.completed";
/// A fired slot was not queued: the schedule's task was already running or queued.
constexpr const char* schedule_skipped = "schedule.skipped";
/// A fired slot could not be queued (unknown group, queue unavailable).
constexpr const char* schedule_dispatch_failed = "schedule.dispatch_failed";
constexpr const char* schedule_deleted = "schedule.deleted";
} // namespace event_types

/// The stream prefix of every schedule.
constexpr const char* schedule_stream_prefix = "schedule/";

/// The stream of a schedule: `schedule/<id>`.
std::string schedule_stream(const std::string& id);

/// Adds the schedule event types to a catalog.
void register_schedule_events(catalog& c);

} // namespace pincer
