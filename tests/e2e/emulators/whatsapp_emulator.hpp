#pragma once

// An emulator of the WhatsApp Cloud API (Graph API) on 127.0.0.1: phone
// number lookup, message sends with the 4096-character rule and the Graph
// error envelope. It also builds and posts signed webhook deliveries.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/emulators/http_emulator.hpp"

namespace pincer::emu {

using json = nlohmann::json;

/// One accepted `POST /{phoneNumberId}/messages`.
struct whatsapp_sent {
  std::string phone_number_id;
  std::string to;
  std::string text;
};

class whatsapp_emulator {
public:
  /// Serves under `/<version>`, e.g. `/v21.0`.
  explicit whatsapp_emulator(std::string version = "v21.0");
  ~whatsapp_emulator();

  /// The base URL to configure pincer with (`http://127.0.0.1:<port>/v21.0`).
  std::string url() const;

  /// Makes an access token valid.
  void add_token(const std::string& token);

  /// Adds a phone number id with its display number and verified name.
  void add_phone_number(const std::string& id, const std::string& display,
                        const std::string& verified_name);

  /// Accepted messages, in order.
  std::vector<whatsapp_sent> sent() const;

  /// Waits until at least `n` messages were accepted.
  bool wait_sent(size_t n, std::chrono::milliseconds timeout) const;

  /// A webhook delivery with one text message, as Meta sends it.
  static json text_delivery(const std::string& phone_number_id, const std::string& from,
                            const std::string& name, const std::string& message_id,
                            const std::string& text);

  /// `sha256=<hex HMAC-SHA256 of body with the app secret>`.
  static std::string signature(const std::string& app_secret, const std::string& body);

private:
  emu_response handle(const emu_request& r);

  std::string version_;
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::vector<std::string> tokens_;
  std::map<std::string, std::pair<std::string, std::string>> numbers_;
  std::vector<whatsapp_sent> sent_;
  int64_t next_id_ = 1;
  http_emulator server_;
};

} // namespace pincer::emu
