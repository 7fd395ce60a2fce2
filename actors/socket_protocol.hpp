#pragma once

// The receiving side of a channel that listens on a WebSocket (Discord's
// Gateway, Slack's Socket Mode), as a state machine without I/O: the socket
// runner feeds it frames, timer expiries and closes, and carries out the
// steps it answers. Unit-tested without sockets or actors.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/channel_types.hpp"
#include "events/error.hpp"

namespace pincer {

/// What a socket protocol wants done after an input.
struct socket_step {
  std::vector<std::string> send;         ///< Frames to send, in order.
  std::vector<inbound_message> messages; ///< Messages to ingest, in order.
  bool reconnect = false;                ///< Close this socket and connect again.
  int close_code = 1000;                 ///< The close code of a reconnect.
  std::optional<std::string> fatal;      ///< Stop for good: the channel turns to error.
  std::optional<int64_t> timer_ms;       ///< Call `on_timer` after this delay (replaces any).
  bool ready = false;                    ///< The session is established.
};

/// Fetches one HTTP call (blocking; the runner's own thread).
using http_fetch = std::function<http_result(const http_call&)>;

/// One channel's WebSocket protocol.
class socket_protocol {
public:
  virtual ~socket_protocol() = default;

  /// The HTTP call that yields the next WebSocket URL; nullopt when the
  /// protocol knows where to connect (a resume).
  virtual std::optional<http_call> discover_call() const = 0;

  /// Reads the answer of `discover_call`: `validation_failed` when the
  /// credentials were refused (fatal), another error to retry later.
  virtual result<unit> parse_discover(const http_result& r) = 0;

  /// Where to connect now.
  virtual std::string socket_url() const = 0;

  /// The socket opened.
  virtual socket_step on_open(int64_t now_ms) = 0;

  /// A text frame arrived.
  virtual socket_step on_text(const std::string& frame, int64_t now_ms) = 0;

  /// The timer asked for by the last `timer_ms` expired.
  virtual socket_step on_timer(int64_t now_ms) = 0;

  /// The socket closed (`code` 1006: dropped; 0: never opened).
  virtual socket_step on_close(int code, int64_t now_ms) = 0;

  /// Completes messages before they are handed over (Slack: user names),
  /// possibly with HTTP calls through `fetch`.
  virtual void complete(std::vector<inbound_message>&, const http_fetch&) {
  }
};

} // namespace pincer
