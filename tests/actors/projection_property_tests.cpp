// Property: after random commands across every part of the server, each
// projection rebuilt from sequence 0 equals the live one, and rebuilding
// twice changes nothing. Also: a catch-up cut short resumes from its
// checkpoint.

#include <boost/test/unit_test.hpp>

#include <future>
#include <map>
#include <random>
#include <thread>

#include "actors/analytics.hpp"
#include "actors/audit_log.hpp"
#include "actors/chat_log.hpp"
#include "actors/core.hpp"
#include "actors/run_history.hpp"
#include "events/time.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;

namespace {

using row_map = std::map<std::string, std::string>;

/// Calls a core method and waits for its answer.
template <class F>
result<reply> call(F f) {
  std::promise<result<reply>> p;
  auto answer = p.get_future();
  f([&p](result<reply> r) { p.set_value(std::move(r)); });
  return answer.get();
}

/// Every projection the server keeps.
std::vector<std::shared_ptr<projection>> all_projections() {
  return {std::make_shared<audit_projection>(), std::make_shared<run_history_projection>(),
          std::make_shared<analytics_projection>(), std::make_shared<chat_projection>()};
}

row_map stored_rows(const event_store& store, const std::string& name) {
  row_map out;
  auto ok = store.scan_projection(name, {}, false, [&](const std::string& k, const std::string& v) {
    out[k] = v;
    return true;
  });
  BOOST_REQUIRE(ok);
  return out;
}

row_map rebuilt_rows(const event_store& store, const projection& p) {
  row_map out;
  BOOST_REQUIRE(replay(store, p, [&](const row& r) { out[r.first] = r.second; }));
  return out;
}

/// Runs `n` random commands against a core with instant containers.
void random_commands(core& c, std::mt19937& rng, int n) {
  const std::vector<std::string> groups{"alpha", "beta", "gamma"};
  auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
  request_meta meta{"key:0badc0de", "prop"};
  for (auto& g : groups)
    call([&](reply_handler h) {
      c.create_namespace(json{{"name", g}, {"requiresTrigger", false}}, meta, h);
    });
  for (int i = 0; i < n; ++i) {
    meta.request_id = "prop-" + std::to_string(i);
    auto g = pick(groups);
    switch (rng() % 10) {
      case 0:
        call([&](reply_handler h) {
          c.update_namespace(g, json{{"description", "d" + std::to_string(i)}}, meta, h);
        });
        break;
      case 1:
        call([&](reply_handler h) {
          c.put_instructions(g, json{{"content", "I" + std::to_string(i)}}, meta, h);
        });
        break;
      case 2:
        call([&](reply_handler h) {
          c.set_mount_allowlist(json{{"allowedRoots", json::array({"/tmp"})},
                                     {"blockedPatterns", json::array()}},
                                meta, h);
        });
        break;
      case 3:
        call([&](reply_handler h) {
          c.validate_mount(json{{"hostPath", "/etc"}, {"group", g}}, meta, h);
        });
        break;
      case 4:
        call([&](reply_handler h) {
          c.add_proxy_mapping(json{{"name", "m" + std::to_string(i)},
                                   {"upstreamUrl", "https://api.example.com"},
                                   {"credentialType", "bearer"},
                                   {"credential", "tok-" + std::to_string(i)}},
                              meta, h);
        });
        break;
      case 5: {
        queued_task t;
        t.task_id = "t" + std::to_string(i);
        t.prompt = "p";
        call([&](reply_handler h) { c.enqueue_task(g, t, meta, h); });
        break;
      }
      case 6:
        call([&](reply_handler h) {
          c.follow_up(json{{"group", g}, {"text", "hi " + std::to_string(i)}}, meta, h);
        });
        break;
      case 7:
        call([&](reply_handler h) {
          c.create_schedule(json{{"name", "s" + std::to_string(i)},
                                 {"group", g},
                                 {"prompt", "p"},
                                 {"schedule", {{"type", "once"},
                                               {"value", format_time(now_ms() + 100)}}}},
                            meta, h);
        });
        break;
      case 8:
        call([&](reply_handler h) {
          c.set_sender_allowlist(json{{"default", {{"allow", "*"}, {"mode", "trigger"}}},
                                      {"chats", json::object()}},
                                 meta, h);
        });
        break;
      default:
        call([&](reply_handler h) {
          c.set_max_concurrent(json{{"maxConcurrent", 1 + rng() % 4}}, meta, h);
        });
    }
  }
}

/// Fails its commits after the first `allowed` ones: a crash mid-catch-up.
class failing_store : public event_store {
public:
  failing_store(event_store& inner, int allowed) : inner_(inner), allowed_(allowed) {
  }
  std::vector<result<std::vector<record>>> append(const std::vector<append_request>& r) override {
    return inner_.append(r);
  }
  uint64_t last_seq() const override {
    return inner_.last_seq();
  }
  uint64_t stream_version(const std::string& s) const override {
    return inner_.stream_version(s);
  }
  result<unit> read_stream(const std::string& s, uint64_t after,
                           const record_visitor& f) const override {
    return inner_.read_stream(s, after, f);
  }
  result<unit> read_all(uint64_t after, const record_visitor& f) const override {
    return inner_.read_all(after, f);
  }
  std::vector<std::pair<std::string, uint64_t>> streams(const std::string& p) const override {
    return inner_.streams(p);
  }
  uint64_t checkpoint(const std::string& p) const override {
    return inner_.checkpoint(p);
  }
  result<unit> commit_projection(const std::string& p, uint64_t cp,
                                 const std::vector<row>& rows) override {
    if (allowed_-- <= 0)
      return error{ec::internal, "simulated crash"};
    return inner_.commit_projection(p, cp, rows);
  }
  result<unit> commit_projections(const std::vector<projection_commit>& commits) override {
    if (allowed_-- <= 0)
      return error{ec::internal, "simulated crash"};
    return inner_.commit_projections(commits);
  }
  result<unit> scan_projection(const std::string& p, const std::string& start, bool reverse,
                               const row_visitor& f) const override {
    return inner_.scan_projection(p, start, reverse, f);
  }
  result<unit> clear_projection(const std::string& p) override {
    return inner_.clear_projection(p);
  }
  result<unit> put_key(const std::string& id, const std::string& m) override {
    return inner_.put_key(id, m);
  }
  std::optional<std::string> key(const std::string& id) const override {
    return inner_.key(id);
  }
  result<unit> erase_key(const std::string& id) override {
    return inner_.erase_key(id);
  }

private:
  event_store& inner_;
  int allowed_;
};

/// Counts the events a projection is handed.
class counting : public projection {
public:
  explicit counting(const projection& inner) : inner_(inner) {
  }
  std::string name() const override {
    return inner_.name();
  }
  void project(const event_view& e, std::vector<row>& out) const override {
    ++seen;
    inner_.project(e, out);
  }
  mutable uint64_t seen = 0;

private:
  const projection& inner_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(actors_projection_property)

BOOST_AUTO_TEST_CASE(every_projection_rebuilt_from_zero_equals_the_live_one_after_random_commands) {
  for (unsigned seed : {1u, 2u, 3u}) {
    BOOST_TEST_CONTEXT("seed " << seed) {
      test::temp_dir dir;
      json live_analytics;
      {
        core_config cfg;
        cfg.data_dir = dir.path().string();
        cfg.sync = false;
        cfg.instant_runs = true;
        cfg.request_timeout = std::chrono::seconds{20};
        auto c = core::start(cfg);
        if (!c)
          BOOST_FAIL(c.err().message);
        std::mt19937 rng{seed};
        random_commands(**c, rng, 60);
        // Let the instant runs finish, then read every projection once so
        // each has caught up with the whole log.
        std::this_thread::sleep_for(std::chrono::milliseconds{1500});
        BOOST_REQUIRE(call([&](reply_handler h) { (*c)->audit_log({}, h); }));
        BOOST_REQUIRE(call([&](reply_handler h) { (*c)->run_history({}, h); }));
        BOOST_REQUIRE(call([&](reply_handler h) { (*c)->chats({}, h); }));
        auto a = call([&](reply_handler h) {
          (*c)->analytics({{"from", "2020-01-01T00:00:00Z"}}, h);
        });
        BOOST_REQUIRE(a);
        live_analytics = a->body;
        (*c)->shutdown();
      }
      auto store = open_rocksdb_store((dir.path() / "events").string(),
                                      rocksdb_options{false, false});
      BOOST_REQUIRE(store);
      auto& s = **store;
      BOOST_TEST(s.last_seq() > 60u);
      // Channel traffic while the server is down; each projection catches up
      // as the server would on its next start.
      for (int i = 0; i < 3; ++i) {
        json m{{"id", std::to_string(i)}, {"chatJid", "tg:1"},   {"channel", "telegram"},
               {"sender", "42"},          {"content", "hello"}, {"timestamp", format_time(0)}};
        append_request req{"channel/telegram", any_version, "channel:telegram", "",
                           {draft{"channel.message_received", 1, m}}};
        BOOST_REQUIRE(s.append({req}).at(0));
      }
      for (auto& p : all_projections())
        BOOST_REQUIRE(catch_up(s, *p));
      for (auto& p : all_projections()) {
        BOOST_TEST_CONTEXT("projection " << p->name()) {
          auto live = stored_rows(s, p->name());
          auto once = rebuilt_rows(s, *p);
          auto twice = rebuilt_rows(s, *p);
          BOOST_TEST(!once.empty());
          BOOST_TEST((live == once));
          BOOST_TEST((once == twice));
          // Dropped and caught up again: the same rows.
          BOOST_REQUIRE(s.clear_projection(p->name()));
          BOOST_TEST(stored_rows(s, p->name()).empty());
          BOOST_REQUIRE(catch_up(s, *p, 7));
          BOOST_TEST((stored_rows(s, p->name()) == once));
        }
      }
      // The analytics model folded from rebuilt rows answers as the live one.
      analytics_model model;
      BOOST_REQUIRE(load_analytics(s, 0, model));
      auto q = parse_analytics_query({{"from", "2020-01-01T00:00:00Z"}},
                                     parse_time(live_analytics["to"].get<std::string>()).value());
      BOOST_REQUIRE(q);
      auto rebuilt = model.answer(*q);
      auto runs_only = [](json t) {
        t.erase("messagesIn"); // the channel traffic came after the live answer
        return t;
      };
      BOOST_TEST(runs_only(rebuilt["totals"]) == runs_only(live_analytics["totals"]));
      BOOST_TEST(rebuilt["byGroup"] == live_analytics["byGroup"]);
      BOOST_TEST(live_analytics["totals"]["runs"].get<uint64_t>() > 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_catch_up_cut_short_resumes_from_its_checkpoint) {
  auto store = make_memory_store();
  for (int i = 0; i < 50; ++i) {
    append_request req{"group/g", any_version, "system", "",
                       {draft{"run.finished", 1,
                              json{{"group", "g"}, {"runId", std::to_string(i)},
                                   {"status", "success"}, {"durationMs", i}}}}};
    BOOST_REQUIRE(store->append({req}).at(0));
  }
  for (auto& p : all_projections()) {
    BOOST_TEST_CONTEXT("projection " << p->name()) {
      failing_store crashing{*store, 2};
      BOOST_TEST(!catch_up(crashing, *p, 10)); // two chunks of ten, then a "crash"
      BOOST_TEST(store->checkpoint(p->name()) == 20u);
      counting resumed{*p};
      auto done = catch_up(*store, resumed, 10);
      BOOST_REQUIRE(done);
      BOOST_TEST(*done == 50u);
      BOOST_TEST(resumed.seen == 30u); // only the events after the checkpoint
      BOOST_TEST((stored_rows(*store, p->name()) == rebuilt_rows(*store, *p)));
    }
  }
}

BOOST_AUTO_TEST_CASE(one_pass_over_several_projections_starts_each_at_its_own_checkpoint) {
  auto store = make_memory_store();
  auto append_runs = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      append_request req{"group/g", any_version, "system", "",
                         {draft{"run.finished", 1,
                                json{{"group", "g"}, {"runId", std::to_string(i)},
                                     {"status", "success"}, {"durationMs", i}}}}};
      BOOST_REQUIRE(store->append({req}).at(0));
    }
  };
  append_runs(0, 30);
  auto views = all_projections();
  // The audit log alone is ahead: it has seen the first 30 events.
  BOOST_REQUIRE(catch_up(*store, *views[0], 10));
  append_runs(30, 50);
  std::vector<counting> counted;
  counted.reserve(views.size());
  std::vector<const projection*> pass;
  for (auto& p : views)
    pass.push_back(&counted.emplace_back(*p));
  failing_store crashing{*store, 2};
  BOOST_TEST(!catch_up(crashing, pass, 10)); // events 1-20 committed, then a "crash"
  BOOST_TEST(store->checkpoint("audit") == 30u);
  for (size_t i = 1; i < views.size(); ++i)
    BOOST_TEST(store->checkpoint(views[i]->name()) == 20u);
  for (auto& c : counted)
    c.seen = 0;
  auto done = catch_up(*store, pass, 10);
  BOOST_REQUIRE(done);
  BOOST_TEST(*done == 50u);
  BOOST_TEST(counted[0].seen == 20u);
  for (size_t i = 1; i < views.size(); ++i)
    BOOST_TEST(counted[i].seen == 30u);
  for (auto& p : views) {
    BOOST_TEST_CONTEXT("projection " << p->name()) {
      BOOST_TEST(store->checkpoint(p->name()) == 50u);
      BOOST_TEST((stored_rows(*store, p->name()) == rebuilt_rows(*store, *p)));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
