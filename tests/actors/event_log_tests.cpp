#include "actors/event_log.hpp"

#include "tests/actors/fixture.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

append_request request_for(const std::string& stream, uint64_t expected) {
  return append_request{stream, expected, "key:test", "req-1",
                        {draft{"namespace.deleted", 1, json{{"name", stream}}}}};
}

struct log_fixture : deterministic_fixture {
  std::shared_ptr<counting_store> store = std::make_shared<counting_store>();
  event_log_actor log = track(spawn_event_log(sys, store, false));
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_event_log, log_fixture)

BOOST_AUTO_TEST_CASE(appends_waiting_in_the_mailbox_are_written_as_one_batch) {
  using handle_type = decltype(self->request(log, caf::infinite, append_atom::value,
                                             request_for("a/1", 0)));
  std::vector<handle_type> pending;
  for (auto i = 0; i < 5; ++i)
    pending.push_back(self->request(log, caf::infinite, append_atom::value,
                                    request_for("a/" + std::to_string(i), 0)));
  run();
  BOOST_TEST(store->appends == 1u);
  BOOST_TEST(store->appended_requests == 5u);
  std::vector<uint64_t> seqs;
  for (auto& h : pending)
    h.receive([&](std::vector<record>& recs) { seqs.push_back(recs.at(0).seq); },
              [&](caf::error& e) { BOOST_FAIL("append failed: " << caf::to_string(e)); });
  BOOST_TEST(seqs == (std::vector<uint64_t>{1, 2, 3, 4, 5}));
}

BOOST_AUTO_TEST_CASE(a_stale_expected_version_fails_alone_inside_a_batch) {
  auto first = self->request(log, caf::infinite, append_atom::value, request_for("s/x", 0));
  auto second = self->request(log, caf::infinite, append_atom::value, request_for("s/x", 0));
  auto third = self->request(log, caf::infinite, append_atom::value, request_for("s/y", 0));
  run();
  BOOST_TEST(store->appends == 1u);
  bool first_ok = false, second_conflict = false, third_ok = false;
  first.receive([&](std::vector<record>&) { first_ok = true; }, [](caf::error&) {});
  second.receive([](std::vector<record>&) {},
                 [&](caf::error& e) { second_conflict = from_caf(e).code == ec::conflict; });
  third.receive([&](std::vector<record>&) { third_ok = true; }, [](caf::error&) {});
  BOOST_TEST(first_ok);
  BOOST_TEST(second_conflict);
  BOOST_TEST(third_ok);
  BOOST_TEST(store->last_seq() == 2u);
}

BOOST_AUTO_TEST_CASE(subscribers_are_told_the_last_sequence_after_a_commit) {
  uint64_t notified = 0;
  auto sub = sys.spawn([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](notify_atom, uint64_t seq) { notified = seq; }};
  });
  self->send(log, subscribe_atom::value, sub);
  run();
  self->send(log, append_atom::value, request_for("n/1", 0));
  self->send(log, append_atom::value, request_for("n/2", 0));
  run();
  BOOST_TEST(notified == 2u);
  caf::anon_send_exit(sub, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(flush_answers_after_everything_before_it_is_stored) {
  self->send(log, append_atom::value, request_for("f/1", 0));
  auto seq = ask<uint64_t>(log, caf::flush_atom::value);
  BOOST_REQUIRE(seq);
  BOOST_TEST(*seq == 1u);
}

BOOST_AUTO_TEST_CASE(an_append_taken_in_before_an_exit_is_stored_and_answered) {
  run(); // the log is up and idle
  bool stored = false;
  bool failed = false;
  auto writer = sys.spawn([&](caf::event_based_actor* a) {
    a->request(log, caf::infinite, append_atom::value, request_for("x/1", 0))
      .then([&](std::vector<record>& recs) { stored = recs.size() == 1u; },
            [&](caf::error&) { failed = true; });
  });
  sched.run_once(); // the writer sends its append
  caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
  run(); // the append, then the exit, ahead of the commit it scheduled
  BOOST_TEST(stored);
  BOOST_TEST(!failed);
  BOOST_TEST(store->last_seq() == 1u);
  caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
