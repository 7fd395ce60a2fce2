#include <boost/test/unit_test.hpp>

#include "tests/e2e/channel_fixture.hpp"
#include "tests/e2e/podman_support.hpp"

using namespace pincer;
using namespace pincer::e2e;
using namespace std::chrono_literals;

namespace {

/// Telegram and WhatsApp against their emulators, groups running the test agent on Podman.
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
  restart();
  std::this_thread::sleep_for(1s);
  BOOST_TEST(telegram.sent().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_whatsapp_webhook_message_runs_the_group_and_the_reply_reaches_the_number) {
  create("teamwa", json{{"chatJids", {"wa:16505551234"}}, {"requiresTrigger", false}});
  connect_whatsapp();
  auto res = deliver_whatsapp(emu::whatsapp_emulator::text_delivery(
      wa_phone, "16505551234", "Sheena", "wamid.loop", "echo: colour?"));
  BOOST_TEST_REQUIRE(res.status == 200, res.body);
  BOOST_TEST_REQUIRE(whatsapp.wait_sent(1, 120s), "no reply; server output:\n" << server->output());
  auto sent = whatsapp.sent();
  BOOST_TEST(sent[0].phone_number_id == wa_phone);
  BOOST_TEST(sent[0].to == "16505551234");
  BOOST_TEST(sent[0].text.find("colour?") != std::string::npos, sent[0].text);
  auto runs = get_ok(api + "/container/run-history?group=teamwa")["items"];
  BOOST_REQUIRE(runs.size() == 1u);
  BOOST_TEST(runs[0]["trigger"] == "message");
}

BOOST_AUTO_TEST_SUITE_END()
