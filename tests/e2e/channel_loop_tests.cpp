#include <boost/test/unit_test.hpp>

#include "tests/e2e/channel_fixture.hpp"
#include "tests/e2e/podman_support.hpp"

using namespace pincer;
using namespace pincer::e2e;
using namespace std::chrono_literals;

namespace {

/// Telegram against the emulator, groups running the test agent on Podman.
struct loop_fixture : channel_fixture {
  loop_fixture() {
    stop();
    start_channels({"--runtime", "podman", "--agent-image", ensure_test_agent_image()});
  }

  ~loop_fixture() {
    shell("podman ps -a --format '{{.Names}}' | grep '^pincer-' | grep -i team"
          " | xargs -r podman rm -f -t 0");
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_channels_loop, loop_fixture)

BOOST_AUTO_TEST_CASE(an_inbound_telegram_message_runs_the_group_and_the_reply_reaches_the_chat) {
  create("team", json{{"chatJids", {"tg:-1001"}}});
  connect_telegram();
  telegram.inject_message(-1001, "@Andy echo: hi", 42, "Ann", "group");
  BOOST_TEST_REQUIRE(telegram.wait_sent(1, 120s), "no reply; server output:\n" << server->output());
  auto sent = telegram.sent();
  BOOST_TEST(sent[0].chat_id == -1001);
  BOOST_TEST(sent[0].text.find("hi") != std::string::npos, sent[0].text);
  auto outputs = events_of("run.output");
  BOOST_REQUIRE(!outputs.empty());
  auto queued = events_of("channel.message_queued");
  BOOST_REQUIRE(queued.size() == 1u);
  BOOST_TEST(queued[0]["data"]["source"] == "run");
  BOOST_TEST(queued[0]["data"]["originSeq"] == outputs[0]["seq"]);
  // A restart does not send the reply again.
  restart_channels();
  std::this_thread::sleep_for(1s);
  BOOST_TEST(telegram.sent().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
