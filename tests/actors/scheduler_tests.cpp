#include "actors/scheduler.hpp"

#include "events/catalog.hpp"
#include "events/queue_events.hpp"
#include "tests/actors/scheduler_fixture.hpp"

using namespace pincer;
using namespace pincer::test;

BOOST_FIXTURE_TEST_SUITE(actors_scheduler, scheduler_fixture)

BOOST_AUTO_TEST_CASE(a_created_schedule_is_an_event_and_answers_its_view) {
  auto s = create_ok(json{{"type", "cron"}, {"value", "*/5 * * * *"}},
                     json{{"name", "Five"}, {"containerConfig", {{"timeoutSecs", 600}}}});
  auto id = s["id"].get<std::string>();
  BOOST_TEST(s["name"] == "Five");
  BOOST_TEST(s["group"] == "reporting");
  BOOST_TEST(s["status"] == "active");
  BOOST_TEST(s["nextRun"] == "2026-03-15T10:10:00.000Z");
  BOOST_TEST(s["lastRun"].is_null());
  BOOST_TEST(s["lastResult"].is_null());
  BOOST_TEST(s["chatJid"] == "tg:100");
  BOOST_TEST(s["timezone"] == "UTC");
  BOOST_TEST(s["contextMode"] == "isolated");
  BOOST_TEST(s["enabled"] == true);
  BOOST_TEST(s["containerConfig"]["timeoutSecs"] == 600);
  BOOST_TEST((types(id) == std::vector<std::string>{"schedule.created"}));
  BOOST_TEST(get_ok(id) == s);
  auto all = ask<reply>(scheduler, list_atom::value, query_params{{"group", "REPORTING"}});
  BOOST_TEST(all->body.size() == 1u);
  auto none = ask<reply>(scheduler, list_atom::value, query_params{{"group", "main"}});
  BOOST_TEST(none->body.empty());
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected_naming_the_field_and_changes_nothing) {
  auto before = store->last_seq();
  auto body = [](json patch) {
    json b{{"group", "reporting"}, {"prompt", "p"}, {"schedule", {{"type", "cron"}, {"value", "* * * * *"}}}};
    b.update(patch);
    return b;
  };
  struct bad_case {
    json body;
    std::string field;
  };
  std::vector<bad_case> cases = {
    {body({{"group", "nobody"}}), "group"},
    {body({{"schedule", {{"type", "cron"}, {"value", "0 0 31 2 *"}}}}), "schedule.value"},
    {body({{"schedule", {{"type", "cron"}, {"value", "61 * * * *"}}}}), "schedule.value"},
    {body({{"schedule", {{"type", "hourly"}, {"value", "1"}}}}), "schedule.type"},
    {body({{"schedule", {{"type", "interval"}, {"value", 999}}}}), "schedule.value"},
    {body({{"schedule", {{"type", "interval"}, {"value", "1e4"}}}}), "schedule.value"},
    {body({{"schedule", {{"type", "once"}, {"value", "2026-03-15T10:00:00Z"}}}}), "schedule.value"},
    {body({{"schedule", {{"type", "once"}, {"value", "soon"}}}}), "schedule.value"},
    {body({{"schedule", "* * * * *"}}), "schedule"},
    {body({{"timezone", "Mars/Base"}}), "timezone"},
    {body({{"prompt", 5}}), "prompt"},
    {body({{"prompt", ""}}), "prompt"},
    {body({{"enabled", "yes"}}), "enabled"},
    {body({{"contextMode", "shared"}}), "contextMode"},
    {body({{"containerConfig", {{"timeoutSecs", -1}}}}), "containerConfig.timeoutSecs"},
    {body({{"containerConfig", {{"image", "bad image"}}}}), "containerConfig.image"},
    {json{{"group", "reporting"}, {"prompt", "p"}}, "schedule"},
  };
  for (auto& c : cases) {
    auto r = create(c.body);
    BOOST_TEST((code(r) == ec::validation_failed), c.body.dump());
    BOOST_TEST(field(r) == c.field, c.body.dump());
  }
  BOOST_TEST(store->last_seq() == before);
  BOOST_TEST(ask<reply>(scheduler, list_atom::value, query_params{})->body.empty());
}

BOOST_AUTO_TEST_CASE(an_interval_fires_on_its_grid_and_queues_the_task_after_advancing_next_run) {
  auto s = create_ok(json{{"type", "interval"}, {"value", "60000"}},
                     json{{"contextMode", "group"}, {"containerConfig", {{"timeoutSecs", 120}}}});
  auto id = s["id"].get<std::string>();
  auto created = *clock;
  BOOST_TEST(s["nextRun"] == format_time(created + 60000));
  advance(59999);
  BOOST_TEST(queued->tasks.empty());
  advance(1);
  BOOST_TEST_REQUIRE(queued->tasks.size() == 1u);
  auto& [group, task] = queued->tasks[0];
  BOOST_TEST(group == "reporting");
  BOOST_TEST(task.task_id == id);
  BOOST_TEST(task.schedule_id == id);
  BOOST_TEST(task.prompt == "Summarise the day");
  BOOST_TEST(task.context_mode == "group");
  BOOST_TEST(task.timeout_secs == 120);
  BOOST_TEST(task.chat_jid == "tg:100");
  // The fired event was stored before the queue saw the task.
  auto fired = last_data(id, "schedule.fired");
  BOOST_TEST(fired["slot"] == created + 60000);
  BOOST_TEST(fired["nextRun"] == created + 120000);
  BOOST_TEST(queued->log_seq_at_enqueue[0] == store->last_seq());
  auto v = get_ok(id);
  BOOST_TEST(v["nextRun"] == format_time(created + 120000));
  BOOST_TEST(v["lastRun"] == format_time(created + 60000));
  advance(60000);
  BOOST_TEST(queued->tasks.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_slot_whose_task_is_still_queued_is_logged_as_skipped) {
  auto s = create_ok(json{{"type", "interval"}, {"value", 1000}});
  auto id = s["id"].get<std::string>();
  queued->busy.insert(id);
  advance(1000);
  BOOST_TEST(queued->tasks.size() == 1u);
  BOOST_TEST(types(id).back() == "schedule.skipped");
  auto page = logs(id);
  BOOST_TEST_REQUIRE(page["items"].size() == 1u);
  BOOST_TEST(page["items"][0]["status"] == "skipped");
  BOOST_TEST(page["items"][0]["scheduleId"] == id);
  BOOST_TEST(get_ok(id)["lastResult"].get<std::string>().rfind("Skipped", 0) == 0u);
  queued->fail = true;
  advance(1000);
  BOOST_TEST(types(id).back() == "schedule.dispatch_failed");
  BOOST_TEST(logs(id)["items"][0]["status"] == "error");
}

BOOST_AUTO_TEST_CASE(finished_runs_fill_the_logs_newest_first_with_pages) {
  auto s = create_ok(json{{"type", "cron"}, {"value", "@hourly"}});
  auto id = s["id"].get<std::string>();
  for (int i = 0; i < 3; ++i) {
    json data{{"runId", "run-" + std::to_string(i)}, {"group", "reporting"},
              {"trigger", "schedule"}, {"taskId", id}, {"scheduleId", id},
              {"status", i == 1 ? "error" : "success"}, {"error", i == 1 ? json("boom") : json()},
              {"startedAt", "2026-03-15T11:00:00.000Z"}, {"finishedAt", "2026-03-15T11:00:02.000Z"},
              {"durationMs", 2000}, {"result", "result " + std::to_string(i)}};
    append_request req{group_stream("reporting"), any_version, "system", "",
                       {event_catalog().make(event_types::run_finished, data)}};
    BOOST_TEST_REQUIRE(static_cast<bool>(ask<std::vector<record>>(log, append_atom::value, req)));
  }
  auto first = logs(id, {{"limit", "2"}});
  BOOST_TEST_REQUIRE(first["items"].size() == 2u);
  BOOST_TEST(first["items"][0]["id"] == "run-2");
  BOOST_TEST(first["items"][1]["status"] == "error");
  BOOST_TEST(first["items"][1]["error"] == "boom");
  BOOST_TEST(first["items"][0]["durationMs"] == 2000);
  BOOST_TEST_REQUIRE(first["nextCursor"].is_string());
  auto second = logs(id, {{"limit", "2"}, {"cursor", first["nextCursor"].get<std::string>()}});
  BOOST_TEST_REQUIRE(second["items"].size() == 1u);
  BOOST_TEST(second["items"][0]["id"] == "run-0");
  BOOST_TEST(second["nextCursor"].is_null());
  BOOST_TEST(get_ok(id)["lastResult"] == "result 2");
  auto bad = ask<reply>(scheduler, logs_atom::value, id, query_params{{"cursor", "zz"}});
  BOOST_TEST(field(bad) == "cursor");
}

BOOST_AUTO_TEST_CASE(a_long_list_reads_every_last_result_in_one_scan) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i)
    ids.push_back(create_ok(json{{"type", "cron"}, {"value", "@daily"}})["id"].get<std::string>());
  queued->busy.insert(ids[3]);
  BOOST_TEST_REQUIRE(static_cast<bool>(update(ids[3], json{{"schedule", {{"type", "interval"}, {"value", 1000}}}})));
  advance(1000);
  auto all = ask<reply>(scheduler, list_atom::value, query_params{})->body;
  BOOST_TEST_REQUIRE(all.size() == 20u);
  for (auto& s : all) {
    if (s["id"] == ids[3]) {
      BOOST_TEST(s["lastResult"].get<std::string>().rfind("Skipped", 0) == 0u);
      BOOST_TEST(s == get_ok(ids[3]));
    } else {
      BOOST_TEST(s["lastResult"].is_null());
    }
  }
}

BOOST_AUTO_TEST_CASE(pause_stops_firing_and_resume_recomputes_next_run_from_now) {
  auto s = create_ok(json{{"type", "interval"}, {"value", 10000}});
  auto id = s["id"].get<std::string>();
  auto paused = update(id, json{{"enabled", false}});
  BOOST_TEST_REQUIRE(static_cast<bool>(paused));
  BOOST_TEST(paused->body["status"] == "paused");
  BOOST_TEST(paused->body["nextRun"].is_null());
  BOOST_TEST(types(id).back() == "schedule.paused");
  advance(30000);
  BOOST_TEST(queued->tasks.empty());
  auto resumed = update(id, json{{"enabled", true}});
  BOOST_TEST(resumed->body["status"] == "active");
  BOOST_TEST(resumed->body["nextRun"] == format_time(*clock + 10000));
  BOOST_TEST(types(id).back() == "schedule.resumed");
  advance(10000);
  BOOST_TEST(queued->tasks.size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_update_recomputes_next_run_for_every_type) {
  auto s = create_ok(json{{"type", "cron"}, {"value", "0 12 * * *"}});
  auto id = s["id"].get<std::string>();
  BOOST_TEST(s["nextRun"] == "2026-03-15T12:00:00.000Z");
  auto tz = update(id, json{{"timezone", "Europe/Berlin"}});
  BOOST_TEST(tz->body["nextRun"] == "2026-03-15T11:00:00.000Z");
  auto iv = update(id, json{{"schedule", {{"type", "interval"}, {"value", 5000}}}});
  BOOST_TEST(iv->body["nextRun"] == format_time(*clock + 5000));
  auto once = update(id, json{{"schedule", {{"type", "once"}, {"value", "2026-03-16T08:00:00"}}}});
  BOOST_TEST(once->body["nextRun"] == "2026-03-16T07:00:00.000Z");
  auto prompt = update(id, json{{"prompt", "other"}});
  BOOST_TEST(prompt->body["nextRun"] == "2026-03-16T07:00:00.000Z");
  BOOST_TEST(prompt->body["prompt"] == "other");
  auto past = update(id, json{{"schedule", {{"type", "once"}, {"value", "2026-03-14T08:00:00Z"}}}});
  BOOST_TEST(field(past) == "schedule.value");
  auto n = types(id).size();
  auto same = update(id, json{{"prompt", "other"}});
  BOOST_TEST(static_cast<bool>(same));
  BOOST_TEST(types(id).size() == n);
  BOOST_TEST((code(update("missing", json{{"prompt", "x"}})) == ec::not_found));
  BOOST_TEST(field(update(id, json{{"group", "nobody"}})) == "group");
  auto moved = update(id, json{{"group", "MAIN"}});
  BOOST_TEST(moved->body["group"] == "main");
}

BOOST_AUTO_TEST_CASE(a_once_schedule_fires_once_and_is_completed) {
  auto s = create_ok(json{{"type", "once"}, {"value", "2026-03-15T10:08:00Z"}});
  auto id = s["id"].get<std::string>();
  advance(60000);
  BOOST_TEST(queued->tasks.size() == 1u);
  auto v = get_ok(id);
  BOOST_TEST(v["status"] == "completed");
  BOOST_TEST(v["nextRun"].is_null());
  BOOST_TEST((types(id) == std::vector<std::string>{"schedule.created", "schedule.fired",
                                                     "schedule.completed"}));
  advance(3600000);
  BOOST_TEST(queued->tasks.size() == 1u);
  auto again = update(id, json{{"schedule", {{"type", "once"}, {"value", "2026-03-15T12:00:00Z"}}}});
  BOOST_TEST(again->body["status"] == "active");
}

BOOST_AUTO_TEST_CASE(a_deleted_schedule_stops_and_is_gone) {
  auto s = create_ok(json{{"type", "interval"}, {"value", 1000}});
  auto id = s["id"].get<std::string>();
  auto r = ask<reply>(scheduler, caf::delete_atom::value, id, meta);
  BOOST_TEST_REQUIRE(static_cast<bool>(r));
  BOOST_TEST(r->status == 204);
  BOOST_TEST(types(id).back() == "schedule.deleted");
  advance(5000);
  BOOST_TEST(queued->tasks.empty());
  BOOST_TEST((code(ask<reply>(scheduler, caf::get_atom::value, id)) == ec::not_found));
  BOOST_TEST((code(ask<reply>(scheduler, caf::delete_atom::value, id, meta)) == ec::not_found));
  BOOST_TEST((code(ask<reply>(scheduler, logs_atom::value, id, query_params{})) == ec::not_found));
}

BOOST_AUTO_TEST_CASE(after_a_restart_missed_interval_slots_are_skipped_and_a_missed_cron_slot_fires_once) {
  auto iv = create_ok(json{{"type", "interval"}, {"value", 60000}})["id"].get<std::string>();
  auto cr = create_ok(json{{"type", "cron"}, {"value", "*/5 * * * *"}})["id"].get<std::string>();
  auto created = *clock;
  caf::anon_send_exit(scheduler, caf::exit_reason::user_shutdown);
  run();
  *clock += 30 * 60000 + 30000; // down for 30.5 minutes
  scheduler = spawn_scheduler();
  BOOST_TEST_REQUIRE(queued->tasks.size() == 1u);
  BOOST_TEST(queued->tasks[0].second.task_id == cr);
  BOOST_TEST(get_ok(iv)["nextRun"] == format_time(created + 31 * 60000));
  BOOST_TEST(get_ok(cr)["nextRun"] == "2026-03-15T10:40:00.000Z");
  BOOST_TEST(types(iv).size() == 1u);
  // Restarting again right away fires nothing twice.
  caf::anon_send_exit(scheduler, caf::exit_reason::user_shutdown);
  run();
  scheduler = spawn_scheduler();
  BOOST_TEST(queued->tasks.size() == 1u);
}

BOOST_AUTO_TEST_CASE(ipc_task_files_use_the_same_commands_with_the_main_rules) {
  auto ipc = [&](const std::string& group, bool main, json file) {
    return ask<reply>(scheduler, ipc_atom::value, group, main, std::move(file));
  };
  json file{{"type", "schedule_task"}, {"prompt", "check"}, {"schedule_type", "interval"},
            {"schedule_value", "60000"}, {"targetJid", "tg:100"}, {"context_mode", "bogus"},
            {"taskId", "task-1"}};
  BOOST_TEST((code(ipc("main", false, file)) == ec::forbidden));
  auto made = ipc("reporting", false, file);
  BOOST_TEST_REQUIRE(static_cast<bool>(made));
  BOOST_TEST(made->body["id"] == "task-1");
  BOOST_TEST(made->body["group"] == "reporting");
  BOOST_TEST(made->body["contextMode"] == "isolated");
  BOOST_TEST(last_data("task-1", "schedule.created").is_object());
  BOOST_TEST((code(ipc("reporting", false, file)) == ec::conflict));
  auto bad = file;
  bad["taskId"] = "task-2";
  bad["schedule_value"] = "0";
  BOOST_TEST(field(ipc("reporting", false, bad)) == "schedule.value");
  bad["schedule_value"] = "60000";
  bad["targetJid"] = "tg:unknown";
  BOOST_TEST(field(ipc("main", true, bad)) == "targetJid");
  auto own = json{{"type", "schedule_task"}, {"prompt", "mine"}, {"schedule_type", "cron"},
                  {"schedule_value", "0 9 * * *"}, {"context_mode", "group"}};
  auto mine = ipc("main", true, own);
  BOOST_TEST(mine->body["group"] == "main");
  BOOST_TEST(mine->body["contextMode"] == "group");
  auto main_id = mine->body["id"].get<std::string>();
  BOOST_TEST((code(ipc("reporting", false, json{{"type", "pause_task"}, {"taskId", main_id}}))
              == ec::forbidden));
  auto paused = ipc("main", true, json{{"type", "pause_task"}, {"taskId", "task-1"}});
  BOOST_TEST(paused->body["status"] == "paused");
  auto resumed = ipc("reporting", false, json{{"type", "resume_task"}, {"taskId", "task-1"}});
  BOOST_TEST(resumed->body["status"] == "active");
  auto updated = ipc("reporting", false, json{{"type", "update_task"}, {"taskId", "task-1"},
                                              {"schedule_value", "120000"}});
  BOOST_TEST(updated->body["schedule"]["value"] == "120000");
  BOOST_TEST(updated->body["nextRun"] == format_time(*clock + 120000));
  BOOST_TEST(last_data("task-1", "schedule.updated").is_object());
  auto cancelled = ipc("reporting", false, json{{"type", "cancel_task"}, {"taskId", "task-1"}});
  BOOST_TEST(cancelled->status == 204);
  BOOST_TEST((code(ipc("reporting", false, json{{"type", "cancel_task"}, {"taskId", "task-1"}}))
              == ec::not_found));
  BOOST_TEST(field(ipc("reporting", false, json{{"type", "pause_task"}})) == "taskId");
  BOOST_TEST(field(ipc("reporting", false, json{{"type", "explode"}})) == "type");
}

BOOST_AUTO_TEST_CASE(a_namespace_reports_and_cancels_its_schedules) {
  create_ok(json{{"type", "interval"}, {"value", 1000}});
  create_ok(json{{"type", "interval"}, {"value", 2000}});
  create_ok(json{{"type", "interval"}, {"value", 2000}}, json{{"group", "main"}});
  auto count = ask<reply>(scheduler, caf::get_atom::value, namespace_atom::value,
                          std::string{"Reporting"});
  BOOST_TEST(count->body["count"] == 2);
  auto cancel = ask<reply>(scheduler, caf::delete_atom::value, namespace_atom::value,
                           std::string{"reporting"}, meta);
  BOOST_TEST(cancel->body["cancelled"] == 2);
  BOOST_TEST(ask<reply>(scheduler, list_atom::value, query_params{})->body.size() == 1u);
  advance(2000);
  BOOST_TEST(queued->tasks.size() == 1u);
  BOOST_TEST(queued->tasks[0].first == "main");
}

BOOST_AUTO_TEST_SUITE_END()
