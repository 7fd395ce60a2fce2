#pragma once

// Runs a channel's WebSocket protocol (Discord Gateway, Slack Socket Mode)
// on a thread of its own: URL discovery over HTTP, the connection, frames,
// timers and reconnects with backoff. What it learns goes to the channel
// actor through a `socket_inbox`.

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/socket_protocol.hpp"

namespace pincer {

/// What a socket runner tells its channel.
struct socket_report {
  enum kind_t { inbound, ready, trouble, fatal } kind = trouble;
  uint64_t generation = 0;               ///< The channel's connection generation.
  std::vector<inbound_message> messages; ///< For `inbound`.
  std::string text;                      ///< For `trouble` and `fatal`.
};

/// Reports waiting for the channel actor (filled by the runner's thread).
struct socket_inbox {
  std::mutex mtx;
  std::deque<socket_report> items;

  /// Takes every waiting report.
  std::deque<socket_report> take();
};

class ws_loop;
class ws_connection;

/// One running socket session; stops when destroyed.
class socket_runner : public std::enable_shared_from_this<socket_runner> {
public:
  /// Starts `protocol`; `report` is called on the runner's thread.
  static std::shared_ptr<socket_runner> start(std::unique_ptr<socket_protocol> protocol,
                                              std::function<void(socket_report)> report);

  ~socket_runner();

  /// Stops: no more reports, the connection is dropped.
  void stop();

  socket_runner(std::unique_ptr<socket_protocol> protocol,
                std::function<void(socket_report)> report);

private:
  void begin();
  void discovered(const http_result& r);
  void connect();
  void closed(uint64_t gen, int code, const std::string& reason);
  void apply(socket_step step);
  void retry(const std::string& why);
  void tell(socket_report r);

  std::unique_ptr<socket_protocol> protocol_;
  std::function<void(socket_report)> report_;
  std::shared_ptr<std::atomic<bool>> stopping_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<ws_connection> conn_;
  uint64_t conn_gen_ = 0;
  uint64_t timer_gen_ = 0;
  int failures_ = 0;
  std::unique_ptr<ws_loop> loop_;
};

} // namespace pincer
