#pragma once

// The WebSocket client of the channels (Slack Socket Mode, Discord Gateway):
// Boost.Beast over Asio, TLS for `wss://`, plain TCP for `ws://` (the local
// emulators of the tests). Beast stays inside ws_client.cpp.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pincer {

/// The parts of a `ws://` or `wss://` URL.
struct ws_url {
  bool tls = false;
  std::string host;
  std::string port;   ///< Defaults to 443 (wss) or 80 (ws).
  std::string target; ///< Path and query, at least `/`.
};

/// Splits a WebSocket URL; nullopt for anything else.
std::optional<ws_url> parse_ws_url(const std::string& url);

/// What one WebSocket connection reports, always on its loop's thread.
struct ws_handlers {
  std::function<void()> on_open;
  std::function<void(const std::string&)> on_text;
  /// The connection ended: the peer's close code, 1006 when it dropped
  /// without a close frame, 0 when it never opened; then a reason.
  std::function<void(int, const std::string&)> on_close;
};

/// An event loop with its own thread, running WebSocket connections and
/// timers. Everything it runs happens on that one thread.
class ws_loop {
public:
  ws_loop();

  /// Stops the loop; joins its thread unless called from it.
  ~ws_loop();

  ws_loop(const ws_loop&) = delete;
  ws_loop& operator=(const ws_loop&) = delete;

  /// Runs `fn` on the loop thread.
  void post(std::function<void()> fn);

  /// Runs `fn` on the loop thread after `delay` (unless the loop stopped).
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

  /// Stops running handlers; pending work is dropped.
  void stop();

  /// Stops and waits for the loop thread (not from the loop thread itself).
  /// Connections may then be released before the loop goes away.
  void join();

  /// Whether the caller runs on the loop thread.
  bool on_loop_thread() const;

  struct impl;

private:
  friend class ws_connection;
  std::shared_ptr<impl> impl_;
};

/// One client connection. Use it on its loop's thread only.
class ws_connection {
public:
  virtual ~ws_connection() = default;

  /// Opens a connection to `url` on `loop`; the handlers report its life.
  static std::shared_ptr<ws_connection> open(ws_loop& loop, const std::string& url,
                                             ws_handlers handlers);

  /// Queues a text frame (sent in order).
  virtual void send(std::string text) = 0;

  /// Starts the close handshake with `code`; `on_close` follows.
  virtual void close(int code) = 0;

  /// Drops the connection at once, without a close frame; `on_close` follows
  /// with 1006 unless it already ended.
  virtual void drop() = 0;
};

} // namespace pincer
