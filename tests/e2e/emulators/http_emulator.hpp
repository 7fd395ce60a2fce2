#pragma once

// A small HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for provider
// emulators: one thread per connection, so a handler may block (long polls).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pincer::emu {

/// A request as an emulator handler sees it.
struct emu_request {
  std::string method;
  std::string path;                          ///< Without the query string.
  std::map<std::string, std::string> query;  ///< Percent-decoded.
  std::map<std::string, std::string> headers; ///< Lower-case names.
  std::string body;
};

/// An emulator's answer.
struct emu_response {
  int status = 200;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
  std::string body;
};

using emu_handler = std::function<emu_response(const emu_request&)>;

/// Serves `handler` until stopped or destroyed.
class http_emulator {
public:
  explicit http_emulator(emu_handler handler);
  ~http_emulator();

  http_emulator(const http_emulator&) = delete;
  http_emulator& operator=(const http_emulator&) = delete;

  uint16_t port() const noexcept {
    return port_;
  }

  /// `http://127.0.0.1:<port>`.
  std::string url() const;

  /// Stops accepting, closes every connection and joins the threads.
  void stop();

private:
  struct impl;
  void accept_loop();
  void serve(int fd);

  emu_handler handler_;
  std::unique_ptr<impl> impl_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mtx_;
  std::vector<std::thread> connections_;
  std::set<int> open_fds_;
};

/// Percent-decodes a query component (`+` is a space).
std::string url_decode(const std::string& s);

} // namespace pincer::emu
