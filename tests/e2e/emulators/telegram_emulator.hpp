#pragma once

// An emulator of the Telegram Bot API (getMe, sendMessage, getUpdates with
// offset and long-poll timeout) on 127.0.0.1, with a control API for tests:
// inject user messages, make sends fail with 429 `retry_after`, read what
// the bot sent.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/emulators/http_emulator.hpp"

namespace pincer::emu {

using json = nlohmann::json;

/// One `sendMessage` the emulator accepted (or refused).
struct telegram_sent {
  std::string token;
  json chat_id;
  std::string text;
  std::chrono::steady_clock::time_point at;
};

class telegram_emulator {
public:
  telegram_emulator();
  ~telegram_emulator();

  /// The base URL to configure pincer with (`http://127.0.0.1:<port>`).
  std::string url() const {
    return server_.url();
  }

  /// Makes a bot token valid.
  void add_bot(const std::string& token, int64_t id, const std::string& username);

  /// Queues a user's text message as an update; returns its `update_id`.
  int64_t inject_message(int64_t chat_id, const std::string& text, int64_t from_id = 42,
                         const std::string& from_name = "Ann",
                         const std::string& chat_type = "private",
                         std::optional<int64_t> message_id = std::nullopt);

  /// Queues a raw update (its `update_id` is set here); returns the id.
  int64_t inject_update(json update);

  /// The next `n` sendMessage calls answer 429 with `retry_after` seconds.
  void fail_sends(int n, int retry_after_secs);

  /// While down, every `sendMessage` answers 502 Bad Gateway (as a proxy in
  /// front of an unavailable Bot API does) and is counted as refused.
  void set_down(bool down);

  /// Accepted messages, in order.
  std::vector<telegram_sent> sent() const;

  /// Times of sendMessage calls answered 429.
  std::vector<std::chrono::steady_clock::time_point> refused() const;

  /// Waits until at least `n` messages were accepted; false on timeout.
  bool wait_sent(size_t n, std::chrono::milliseconds timeout) const;

  /// The `offset` of every getUpdates call, in order (0 when absent).
  std::vector<int64_t> offsets() const;

  /// Waits until a getUpdates call arrived with at least this offset.
  bool wait_offset(int64_t offset, std::chrono::milliseconds timeout) const;

  /// Every update id handed out by getUpdates, in order (repeats included).
  std::vector<int64_t> delivered() const;

private:
  emu_response handle(const emu_request& r);
  emu_response get_updates(const std::string& token, const json& params);
  emu_response send_message(const std::string& token, const json& params);

  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;
  bool down_ = false;
  std::map<std::string, std::pair<int64_t, std::string>> bots_;
  std::vector<json> updates_;
  int64_t next_update_ = 5000;
  int64_t next_message_ = 100;
  int fail_sends_ = 0;
  int retry_after_ = 0;
  std::vector<telegram_sent> sent_;
  std::vector<std::chrono::steady_clock::time_point> refused_;
  std::vector<int64_t> offsets_;
  std::vector<int64_t> delivered_;
  http_emulator server_; ///< Last: stops before the state goes away.
};

} // namespace pincer::emu
