#include <boost/test/unit_test.hpp>

#include "actors/group_state.hpp"
#include "events/catalog.hpp"
#include "events/queue_events.hpp"

using namespace pincer;

namespace {

/// A group state that applies what it decides, as the group actor does.
struct group_fixture {
  group_state g;
  queue_policy policy;

  group_fixture() {
    g.group = "team";
    policy.retry_base = std::chrono::milliseconds{1000};
  }

  void apply(const std::vector<draft>& drafts) {
    for (auto& d : drafts) {
      envelope e;
      e.stream = group_stream(g.group);
      e.stream_version = g.version + 1;
      e.type = d.type;
      e.schema_version = d.schema_version;
      e.data = d.data;
      g.apply(e);
      types.push_back(d.type);
    }
  }

  void message(const std::string& id, const std::string& text) {
    queued_message m;
    m.id = id;
    m.text = text;
    m.sender = "alice";
    m.chat_jid = "tg:1";
    m.at = 1000;
    m.source = "api";
    apply({g.queue_message(m)});
  }

  void task(const std::string& id) {
    queued_task t;
    t.task_id = id;
    t.prompt = "do " + id;
    apply(g.queue_task(t));
  }

  void start(int64_t now = 0) {
    apply({g.start(g.next_work(now), "run-" + std::to_string(++runs), "pincer-team-1", "img",
                   "tg:default", now)});
  }

  void output(json block) {
    apply(g.output(block));
  }

  void exit(int code, int64_t at = 10000) {
    run_exit how;
    how.exit_code = code;
    how.finished_at = at;
    apply(g.finish(how, policy));
  }

  int runs = 0;
  std::vector<std::string> types;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_group_state, group_fixture)

BOOST_AUTO_TEST_CASE(a_message_run_takes_every_pending_message_and_success_consumes_them) {
  message("m1", "hello");
  message("m2", "again");
  BOOST_TEST((g.next_work(0) == group_work::messages));
  start();
  BOOST_REQUIRE(g.run);
  BOOST_TEST(g.run->messages.size() == 2u);
  BOOST_TEST(g.messages.empty());
  BOOST_TEST(g.run->chat_jid == "tg:1");
  output(json{{"status", "success"}, {"result", "hi"}});
  exit(0);
  BOOST_TEST(!g.run);
  BOOST_TEST(g.messages.empty());
  BOOST_TEST((g.next_work(0) == group_work::none));
}

BOOST_AUTO_TEST_CASE(tasks_run_before_messages_and_a_queued_task_id_is_not_queued_again) {
  message("m1", "hello");
  task("t1");
  task("t1");
  BOOST_TEST(g.tasks.size() == 1u);
  BOOST_TEST((g.next_work(0) == group_work::task));
  start();
  BOOST_TEST(g.run->task->task_id == "t1");
  BOOST_TEST(g.has_task("t1"));
  BOOST_TEST(g.queue_task(g.run->task.value()).empty());
  exit(0);
  BOOST_TEST((g.next_work(0) == group_work::messages));
}

BOOST_AUTO_TEST_CASE(a_failed_message_run_without_output_is_retried_with_doubling_delays_then_dropped) {
  message("m1", "hello");
  std::vector<int64_t> delays;
  for (int attempt = 0; attempt < 6; ++attempt) {
    BOOST_TEST_CONTEXT("attempt " << attempt) {
      BOOST_TEST((g.next_work(g.next_retry_at) == group_work::messages));
      if (attempt > 0)
        BOOST_TEST((g.next_work(g.next_retry_at - 1) == group_work::none));
      start(g.next_retry_at);
      exit(1, 10000 * (attempt + 1));
      if (attempt < 5)
        delays.push_back(g.next_retry_at - 10000 * (attempt + 1));
    }
  }
  BOOST_TEST((delays == std::vector<int64_t>{1000, 2000, 4000, 8000, 16000}));
  BOOST_TEST(types.back() == event_types::run_dropped);
  BOOST_TEST(g.messages.empty());
  BOOST_TEST(g.retry_count == 0);
}

BOOST_AUTO_TEST_CASE(a_failed_run_that_already_answered_is_not_retried) {
  message("m1", "hello");
  start();
  output(json{{"status", "success"}, {"result", "partial answer"}});
  exit(1);
  BOOST_TEST(types.back() == event_types::run_finished);
  BOOST_TEST(g.messages.empty());
  BOOST_TEST(g.retry_count == 0);
}

BOOST_AUTO_TEST_CASE(a_task_that_fails_is_not_retried) {
  task("t1");
  start();
  exit(1);
  BOOST_TEST(types.back() == event_types::run_finished);
  BOOST_TEST((g.next_work(0) == group_work::none));
}

BOOST_AUTO_TEST_CASE(a_timeout_after_output_is_a_success_and_without_output_a_timeout) {
  message("m1", "hello");
  start();
  run_exit how;
  how.timed_out = true;
  auto drafts = g.finish(how, policy);
  BOOST_TEST(drafts.front().data["status"] == "timeout");
  output(json{{"status", "success"}, {"result", nullptr}});
  drafts = g.finish(how, policy);
  BOOST_TEST(drafts.front().data["status"] == "success");
  BOOST_TEST(drafts.size() == 1u);
}

BOOST_AUTO_TEST_CASE(new_session_ids_are_kept_and_a_missing_session_is_dropped) {
  message("m1", "hello");
  start();
  output(json{{"status", "success"}, {"result", "hi"}, {"newSessionId", "s1"}});
  BOOST_TEST(g.session_id == "s1");
  output(json{{"status", "success"}, {"result", nullptr}, {"newSessionId", "s1"}});
  BOOST_TEST(types.back() == event_types::run_output);
  exit(0);
  message("m2", "again");
  start();
  auto input = container_input(g, *g.run, false, "Andy", "UTC");
  BOOST_TEST(input["sessionId"] == "s1");
  output(json{{"status", "error"}, {"result", nullptr},
              {"error", "No conversation found with session ID: s1"}});
  BOOST_TEST(types.back() == event_types::session_cleared);
  BOOST_TEST(g.session_id.empty());
}

BOOST_AUTO_TEST_CASE(isolated_tasks_neither_resume_nor_change_the_group_session) {
  message("m1", "hello");
  start();
  output(json{{"status", "success"}, {"result", "hi"}, {"newSessionId", "s1"}});
  exit(0);
  task("t1");
  start();
  BOOST_TEST(container_input(g, *g.run, false, "Andy", "UTC")["sessionId"].is_null());
  output(json{{"status", "success"}, {"result", "x"}, {"newSessionId", "s2"}});
  BOOST_TEST(g.session_id == "s1");
}

BOOST_AUTO_TEST_CASE(replies_lose_internal_blocks_but_the_raw_result_is_kept) {
  message("m1", "hello");
  start();
  auto drafts = g.output(json{{"status", "success"},
                              {"result", "<internal>thinking</internal> The answer"}});
  BOOST_TEST(drafts.front().data["reply"] == "The answer");
  BOOST_TEST(drafts.front().data["result"] == "<internal>thinking</internal> The answer");
  drafts = g.output(json{{"status", "success"}, {"result", "<internal>only this</internal>"}});
  BOOST_TEST(drafts.front().data["reply"].is_null());
}

BOOST_AUTO_TEST_CASE(follow_ups_delivered_to_a_run_that_fails_silently_are_queued_again) {
  message("m1", "hello");
  start();
  queued_message f;
  f.id = "f1";
  f.text = "more";
  f.source = "follow-up";
  apply({g.deliver(f, "1-a.json")});
  exit(1);
  BOOST_TEST(g.messages.size() == 2u);
  BOOST_TEST(g.messages[0].id == "m1");
  BOOST_TEST(g.messages[1].id == "f1");
}

BOOST_AUTO_TEST_CASE(prompts_escape_markup_in_names_and_text) {
  queued_message m;
  m.sender = "a\"<b>";
  m.text = "x & <y>";
  m.at = 0;
  auto prompt = format_messages({m}, "Europe/Berlin");
  BOOST_TEST(prompt.find("sender=\"a&quot;&lt;b&gt;\"") != std::string::npos);
  BOOST_TEST(prompt.find(">x &amp; &lt;y&gt;</message>") != std::string::npos);
  BOOST_TEST(prompt.find("<context timezone=\"Europe/Berlin\" />") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
