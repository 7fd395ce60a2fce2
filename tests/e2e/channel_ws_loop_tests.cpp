#include <boost/test/unit_test.hpp>

#include "tests/e2e/channel_fixture.hpp"
#include "tests/e2e/podman_support.hpp"

using namespace pincer;
using namespace pincer::e2e;
using namespace std::chrono_literals;

namespace {

/// Slack and Discord against their emulators, groups running the test agent
/// on Podman.
struct ws_loop_fixture : channel_fixture {
  ws_loop_fixture() {
    stop();
    start_channels({"--runtime", "podman", "--agent-image", ensure_test_agent_image()});
  }

  ~ws_loop_fixture() {
    shell("podman ps -a --format '{{.Names}}' | grep '^pincer-' | grep -i -e slackteam -e dcteam"
          " | xargs -r podman rm -f -t 0");
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_channels_ws_loop, ws_loop_fixture)

BOOST_AUTO_TEST_CASE(a_message_in_a_mapped_slack_channel_runs_the_group_and_the_reply_arrives) {
  create("slackteam", json{{"chatJids", {"slack:C77"}}});
  connect_slack();
  BOOST_TEST_REQUIRE(slack.wait_connections(1, 10s));
  auto env = slack.inject_message("C77", "@Andy echo: hello slack");
  BOOST_TEST(slack.wait_acked(env, 10s));
  BOOST_TEST_REQUIRE(slack.wait_sent(1, 120s), "no reply; server output:\n" << server->output());
  auto sent = slack.sent();
  BOOST_TEST(sent[0].channel == "C77");
  BOOST_TEST(sent[0].text.find("hello slack") != std::string::npos, sent[0].text);
}

BOOST_AUTO_TEST_CASE(a_message_in_a_mapped_discord_channel_runs_the_group_and_the_reply_arrives) {
  create("dcteam", json{{"chatJids", {"dc:4242"}}});
  connect_discord();
  BOOST_TEST_REQUIRE(discord.wait_sessions(1, 10s));
  discord.inject_message("4242", "@Andy echo: hello discord");
  BOOST_TEST_REQUIRE(discord.wait_sent(1, 120s),
                     "no reply; server output:\n" << server->output());
  auto sent = discord.sent();
  BOOST_TEST(sent[0].channel_id == "4242");
  BOOST_TEST(sent[0].content.find("hello discord") != std::string::npos, sent[0].content);
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(discord.sent().size() == 1u); // the reply arrives once
}

BOOST_AUTO_TEST_SUITE_END()
