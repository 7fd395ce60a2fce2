#pragma once

// A WebSocket server on 127.0.0.1 (an ephemeral port) for the Slack Socket
// Mode and Discord Gateway emulators: Boost.Beast on one Asio thread. Peers
// may be written to, closed or dropped from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace pincer::emu {

/// One accepted WebSocket connection.
class ws_peer {
public:
  virtual ~ws_peer() = default;

  /// Sends a text frame (any thread).
  virtual void send(std::string text) = 0;

  /// Closes with a close frame carrying `code` (any thread).
  virtual void close(int code) = 0;

  /// Drops the TCP connection without a close frame (any thread).
  virtual void drop() = 0;

  /// The request target of the upgrade (`/path?query`).
  virtual const std::string& target() const = 0;

  /// A number unique within the server, counting from 1.
  virtual uint64_t id() const = 0;
};

/// What the server reports, on its thread.
struct ws_server_handlers {
  std::function<void(const std::shared_ptr<ws_peer>&)> on_open;
  std::function<void(const std::shared_ptr<ws_peer>&, const std::string&)> on_text;
  std::function<void(const std::shared_ptr<ws_peer>&, int)> on_close;
};

class ws_server {
public:
  explicit ws_server(ws_server_handlers handlers);
  ~ws_server();

  ws_server(const ws_server&) = delete;
  ws_server& operator=(const ws_server&) = delete;

  uint16_t port() const;

  /// `ws://127.0.0.1:<port>`.
  std::string url() const;

  /// Runs `fn` on the server thread after `delay`.
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

  /// Stops accepting, drops every connection, joins the thread.
  void stop();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace pincer::emu
