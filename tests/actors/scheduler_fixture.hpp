#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "actors/directory.hpp"
#include "actors/event_log.hpp"
#include "actors/scheduler.hpp"
#include "events/schedule_events.hpp"
#include "events/time.hpp"
#include "tests/actors/fixture.hpp"
#include "tests/storage/temp_dir.hpp"

namespace pincer::test {

/// What the stand-in queue saw and how it answers.
struct queue_record {
  std::vector<std::pair<std::string, queued_task>> tasks; ///< (group, task)
  std::set<std::string> busy;  ///< Task ids answered `duplicate`.
  bool fail = false;           ///< Answer `not_found` instead.
  std::vector<uint64_t> log_seq_at_enqueue; ///< The store's last seq when each task came.
};

/// A deterministic scheduler over a memory store, a real directory with
/// the groups `reporting` and `main` (main), a stand-in queue and a wall
/// clock the test moves together with CAF's test clock.
struct scheduler_fixture : deterministic_fixture {
  temp_dir dir;
  std::shared_ptr<event_store> store{make_memory_store()};
  event_log_actor log = track(spawn_event_log(sys, store, false));
  directory_actor directory = track(sys.spawn(
    pincer::directory, namespace_context{store, log, dir.sub("data")}, std::string{"Andy"}));
  std::shared_ptr<queue_record> queued = std::make_shared<queue_record>();
  caf::actor queue = track(spawn_queue());
  std::shared_ptr<int64_t> clock = std::make_shared<int64_t>(*parse_time("2026-03-15T10:07:00.000Z"));
  scheduler_actor scheduler = spawn_scheduler();
  request_meta meta{"key:test", "req-s"};

  scheduler_fixture() {
    make_group("reporting", json{{"chatJids", {"tg:100"}}});
    make_group("main", json{{"isMain", true}, {"chatJids", {"tg:1"}}});
  }

  caf::actor spawn_queue() {
    auto rec = queued;
    auto store_ptr = store;
    return sys.spawn([rec, store_ptr](caf::event_based_actor*) -> caf::behavior {
      return {
        [rec, store_ptr](enqueue_atom, std::string& group, queued_task& task,
                         request_meta&) -> caf::result<reply> {
          rec->tasks.emplace_back(group, task);
          rec->log_seq_at_enqueue.push_back(store_ptr->last_seq());
          if (rec->fail)
            return to_caf(error{ec::not_found, "group " + group + " not found"});
          bool dup = rec->busy.count(task.task_id) > 0;
          return reply{202, json{{"status", dup ? "duplicate" : "queued"},
                                 {"taskId", task.task_id}}};
        },
      };
    });
  }

  /// What the schedules share: the test's store, log, queue and clock.
  std::shared_ptr<const schedule_context> context() {
    auto ctx = std::make_shared<schedule_context>();
    ctx->store = store;
    ctx->log = log;
    ctx->queue = caf::actor_cast<queue_actor>(queue);
    auto c = clock;
    ctx->clock = [c] { return *c; };
    ctx->wake_ahead = std::chrono::seconds{1};
    return ctx;
  }

  scheduler_actor spawn_scheduler() {
    auto loaded = load_schedules(*store);
    BOOST_REQUIRE(static_cast<bool>(loaded));
    auto s = track(sys.spawn(pincer::scheduler, context(), directory, std::string{"UTC"},
                             std::move(*loaded)));
    run();
    return s;
  }

  void make_group(const std::string& name, json extra) {
    extra["name"] = name;
    auto r = ask<reply>(directory, create_atom::value, extra, meta);
    BOOST_TEST_REQUIRE(static_cast<bool>(r));
  }

  /// Moves both clocks forward and runs everything that became due.
  void advance(int64_t ms) {
    *clock += ms;
    sched.advance_time(std::chrono::milliseconds{ms});
    run();
  }

  caf::expected<reply> create(json body) {
    return ask<reply>(scheduler, create_atom::value, std::move(body), meta);
  }

  /// Creates a schedule of the `reporting` group and requires 201.
  json create_ok(json schedule, json extra = json::object()) {
    extra["group"] = extra.value("group", "reporting");
    extra["prompt"] = extra.value("prompt", "Summarise the day");
    extra["schedule"] = std::move(schedule);
    auto r = create(extra);
    BOOST_TEST_REQUIRE(static_cast<bool>(r), "create failed: " << (r ? "" : from_caf(r.error()).message));
    BOOST_TEST_REQUIRE(r->status == 201);
    return r->body;
  }

  caf::expected<reply> update(const std::string& id, json body) {
    return ask<reply>(scheduler, update_atom::value, id, std::move(body), meta);
  }

  json get_ok(const std::string& id) {
    auto r = ask<reply>(scheduler, caf::get_atom::value, id);
    BOOST_TEST_REQUIRE(static_cast<bool>(r));
    return r->body;
  }

  json logs(const std::string& id, query_params q = {}) {
    auto r = ask<reply>(scheduler, logs_atom::value, id, std::move(q));
    BOOST_TEST_REQUIRE(static_cast<bool>(r));
    return r->body;
  }

  /// The event types of a schedule's stream, in order.
  std::vector<std::string> types(const std::string& id) {
    std::vector<std::string> out;
    store->read_stream(schedule_stream(id), 0, [&](const record& r) {
      out.push_back(r.type);
      return true;
    });
    return out;
  }

  /// The data of the last event of a type in a schedule's stream.
  json last_data(const std::string& id, const std::string& type) {
    json out;
    store->read_stream(schedule_stream(id), 0, [&](const record& r) {
      if (r.type == type)
        out = json::parse(r.data);
      return true;
    });
    return out;
  }

  static ec code(const caf::expected<reply>& r) {
    return r ? ec::none : from_caf(r.error()).code;
  }

  static std::string field(const caf::expected<reply>& r) {
    return r ? std::string{} : from_caf(r.error()).field;
  }

  static int64_t at(const std::string& text) {
    return *parse_time(text);
  }
};

} // namespace pincer::test
