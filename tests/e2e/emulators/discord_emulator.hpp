#pragma once

// An emulator of Discord on 127.0.0.1: REST (`/users/@me`, `/gateway/bot`,
// `/channels/{id}/messages` with `X-RateLimit-*` buckets and 429 bodies) and
// the Gateway (HELLO, IDENTIFY -> READY, RESUME with replay -> RESUMED,
// heartbeat ACKs, MESSAGE_CREATE dispatches), with faults to inject: a
// dropped connection, missing ACKs, op 7, op 9, close codes.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/emulators/http_emulator.hpp"
#include "tests/e2e/emulators/ws_server.hpp"

namespace pincer::emu {

using json = nlohmann::json;

/// One message the bot posted.
struct discord_sent {
  std::string channel_id;
  std::string content;
  std::chrono::steady_clock::time_point at;
};

class discord_emulator {
public:
  /// `token` is the one valid bot token; the bot user is `bot_id`.
  discord_emulator(std::string token, std::string bot_id = "900100", int heartbeat_ms = 1000);
  ~discord_emulator();

  /// The REST base URL (`http://127.0.0.1:<port>`).
  std::string url() const {
    return http_.url();
  }

  /// Dispatches a MESSAGE_CREATE; returns its message id. Sent at once when
  /// a session is connected, else kept for the replay of a RESUME.
  std::string inject_message(const std::string& channel_id, const std::string& content,
                             const std::string& author_id = "42",
                             const std::string& username = "ann",
                             const std::string& guild_id = "777");

  /// Drops the current Gateway connection without a close frame.
  void drop_connection();

  /// Sends an opcode (7 reconnect, 9 invalid session with `d`) to the session.
  void send_op(int op, json d = nullptr);

  /// Closes the current connection with a close code.
  void close_with(int code);

  /// The heartbeat interval the next HELLO announces.
  void set_heartbeat_ms(int ms);

  /// Whether heartbeats are acknowledged (op 11).
  void set_acks(bool on);

  /// Every send answers with a bucket of `limit` requests per `reset_after` seconds.
  void set_bucket(int limit, double reset_after_secs);

  /// The next send answers 429 with `retry_after` seconds (global or not).
  void fail_next_send(double retry_after_secs, bool global);

  /// Waits until a session is identified or resumed that many times in all.
  bool wait_sessions(size_t n, std::chrono::milliseconds timeout) const;

  /// Waits for at least `n` accepted messages.
  bool wait_sent(size_t n, std::chrono::milliseconds timeout) const;

  std::vector<discord_sent> sent() const;
  size_t identifies() const;
  size_t resumes() const;
  size_t connections() const;
  size_t heartbeats() const;
  /// Sends that arrived while their bucket (or the global limit) was empty.
  size_t violations() const;
  /// Intents of the last IDENTIFY.
  int64_t intents() const;

private:
  emu_response handle(const emu_request& r);
  emu_response post_message(const emu_request& r, const std::string& channel_id);
  void on_open(const std::shared_ptr<ws_peer>& p);
  void on_text(const std::shared_ptr<ws_peer>& p, const std::string& text);
  bool authorised(const emu_request& r) const;

  std::string token_;
  std::string bot_id_;
  int heartbeat_ms_;
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::shared_ptr<ws_peer> current_;
  std::string session_id_ = "session-1";
  int64_t seq_ = 0;
  std::vector<json> log_; ///< Dispatches of the session, for replay.
  bool acks_ = true;
  size_t identifies_ = 0;
  size_t resumes_ = 0;
  size_t connections_ = 0;
  size_t heartbeats_ = 0;
  size_t violations_ = 0;
  int64_t intents_ = 0;
  int64_t next_message_ = 5000;
  int bucket_limit_ = 0;
  double bucket_reset_ = 0;
  int bucket_remaining_ = 0;
  std::chrono::steady_clock::time_point bucket_until_{};
  std::chrono::steady_clock::time_point global_until_{};
  double fail_retry_ = -1;
  bool fail_global_ = false;
  std::vector<discord_sent> sent_;
  std::unique_ptr<ws_server> gateway_;
  http_emulator http_; ///< Last: stops before the state goes away.
};

} // namespace pincer::emu
