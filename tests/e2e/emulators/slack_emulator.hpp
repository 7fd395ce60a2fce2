#pragma once

// An emulator of Slack on 127.0.0.1: the Web API (`auth.test`,
// `apps.connections.open`, `chat.postMessage`, `users.info`) and a Socket
// Mode server (`hello`, `events_api` envelopes, ack checking, `disconnect`
// injection). It also builds Events API bodies for signed deliveries.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/emulators/http_emulator.hpp"
#include "tests/e2e/emulators/ws_server.hpp"

namespace pincer::emu {

using json = nlohmann::json;

/// One chat.postMessage the emulator accepted.
struct slack_sent {
  std::string channel;
  std::string text;
  std::string thread_ts;
};

class slack_emulator {
public:
  /// The bot user is `UBOT` (bot id `BBOT`).
  slack_emulator(std::string bot_token, std::string app_token);
  ~slack_emulator();

  /// The Web API base URL (`http://127.0.0.1:<port>`).
  std::string url() const {
    return http_.url();
  }

  /// An `event_callback` body with a channel message event.
  static json event_body(const std::string& channel, const std::string& user,
                         const std::string& text, const std::string& event_id,
                         const std::string& ts, const std::string& thread_ts = {});

  /// Sends an `events_api` envelope with a user's message to the Socket Mode
  /// connection; returns the envelope id.
  std::string inject_message(const std::string& channel, const std::string& text,
                             const std::string& user = "U42", const std::string& thread_ts = {});

  /// Sends `{"type": "disconnect", "reason": ...}` to the connection.
  void send_disconnect(const std::string& reason);

  bool acked(const std::string& envelope_id) const;
  bool wait_acked(const std::string& envelope_id, std::chrono::milliseconds timeout) const;
  /// Waits until `n` Socket Mode connections said hello.
  bool wait_connections(size_t n, std::chrono::milliseconds timeout) const;
  bool wait_sent(size_t n, std::chrono::milliseconds timeout) const;
  std::vector<slack_sent> sent() const;
  size_t connections() const;
  /// users.info calls.
  size_t lookups() const;
  /// conversations.list calls (pages).
  size_t listings() const;

private:
  emu_response handle(const emu_request& r);

  std::string bot_token_;
  std::string app_token_;
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::shared_ptr<ws_peer> current_;
  std::set<std::string> acked_;
  size_t connections_ = 0;
  size_t lookups_ = 0;
  size_t listings_ = 0;
  size_t next_ = 0;
  std::vector<slack_sent> sent_;
  std::unique_ptr<ws_server> socket_;
  http_emulator http_; ///< Last: stops before the state goes away.
};

} // namespace pincer::emu
