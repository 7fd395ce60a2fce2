#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "tests/e2e/emulators/discord_emulator.hpp"
#include "tests/e2e/emulators/slack_emulator.hpp"
#include "tests/e2e/emulators/telegram_emulator.hpp"
#include "tests/e2e/emulators/whatsapp_emulator.hpp"
#include "tests/e2e/fixture.hpp"

namespace pincer::e2e {

inline const std::string channels = api + "/channels";

/// A server whose Telegram and WhatsApp channels point at local emulators.
struct channel_fixture : server_fixture {
  static constexpr const char* bot_token = "4242:AAH-emulated_SECRET_token";
  static constexpr const char* wa_token = "EAAG-emulated-ACCESS-token";
  static constexpr const char* wa_phone = "106540352242922";
  static constexpr const char* wa_verify = "verify-me-please";
  static constexpr const char* wa_secret = "app-secret-for-signatures";
  static constexpr const char* dc_token = "MTAx.emulated.discord-TOKEN";
  static constexpr const char* slack_bot_token = "xoxb-emulated-bot-token";
  static constexpr const char* slack_app_token = "xapp-1-emulated-app-token";
  static constexpr const char* slack_secret = "slack-signing-secret-for-tests";

  channel_fixture() : server_fixture(deferred_start{}) {
    telegram.add_bot(bot_token, 4242, "andy_bot");
    whatsapp.add_token(wa_token);
    whatsapp.add_phone_number(wa_phone, "15550783881", "Acme Support");
    start_channels();
  }

  /// Starts the server pointed at the emulators.
  void start_channels(std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--telegram-api-url", telegram.url(), "--whatsapp-api-url",
                               whatsapp.url(), "--discord-api-url", discord.url(),
                               "--slack-api-url", slack.url()});
    start(extra);
  }

  /// The provider ids of the stored inbound messages, in log order.
  std::vector<std::string> received_ids() {
    std::vector<std::string> out;
    for (auto& e : events_of("channel.message_received"))
      out.push_back(e["data"]["id"].get<std::string>());
    return out;
  }

  /// Connects Telegram and requires 200.
  json connect_telegram() {
    auto res = client->post(channels + "/telegram/connect", json{{"botToken", bot_token}});
    BOOST_TEST_REQUIRE(res.status == 200, res.body);
    return res.json_body();
  }

  /// Connects WhatsApp and requires 200.
  json connect_whatsapp() {
    auto res = client->post(channels + "/whatsapp/connect",
                            json{{"accessToken", wa_token}, {"phoneNumberId", wa_phone},
                                 {"verifyToken", wa_verify}, {"appSecret", wa_secret}});
    BOOST_TEST_REQUIRE(res.status == 200, res.body);
    return res.json_body();
  }

  /// Posts a WhatsApp webhook delivery signed with the app secret.
  http_response deliver_whatsapp(const json& delivery) {
    auto body = delivery.dump();
    return client->request("POST", channels + "/whatsapp/webhook", body,
                           {"Content-Type: application/json",
                            "X-Hub-Signature-256: " + emu::whatsapp_emulator::signature(wa_secret, body)});
  }

  /// Connects Discord and requires 200.
  json connect_discord() {
    auto res = client->post(channels + "/discord/connect", json{{"botToken", dc_token}});
    BOOST_TEST_REQUIRE(res.status == 200, res.body);
    return res.json_body();
  }

  /// Connects Slack over Socket Mode (or the Events API) and requires 200.
  json connect_slack(bool socket_mode = true) {
    json body{{"botToken", slack_bot_token}};
    if (socket_mode)
      body["appToken"] = slack_app_token;
    else
      body["signingSecret"] = slack_secret;
    auto res = client->post(channels + "/slack/connect", body);
    BOOST_TEST_REQUIRE(res.status == 200, res.body);
    return res.json_body();
  }

  /// Every event envelope of the log (optionally of streams with a prefix).
  json events(const std::string& stream = {}) {
    json all = json::array();
    std::string after = "0";
    for (int guard = 0; guard < 1000; ++guard) {
      auto body = get_ok(api + "/events?limit=1000&after=" + after
                         + (stream.empty() ? "" : "&stream=" + stream));
      for (auto& e : body["items"])
        all.push_back(e);
      if (body["nextCursor"].is_null())
        break;
      after = body["nextCursor"].get<std::string>();
    }
    return all;
  }

  /// The events of a type (in log order).
  json events_of(const std::string& type, const std::string& stream = {}) {
    json out = json::array();
    for (auto& e : events(stream))
      if (e["type"] == type)
        out.push_back(e);
    return out;
  }

  /// Waits (up to `timeout`) until `pred()` holds.
  static bool eventually(const std::function<bool()>& pred,
                         std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (pred())
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return pred();
  }

  /// Waits until at least `n` events of a type exist; returns them.
  json wait_events(const std::string& type, size_t n,
                   std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
    json found;
    eventually([&] {
      found = events_of(type);
      return found.size() >= n;
    }, timeout);
    return found;
  }

  emu::telegram_emulator telegram;
  emu::whatsapp_emulator whatsapp;
  emu::discord_emulator discord{dc_token};
  emu::slack_emulator slack{slack_bot_token, slack_app_token};
};

} // namespace pincer::e2e
