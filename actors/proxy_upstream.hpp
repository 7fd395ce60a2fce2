#pragma once

// Upstream connections of the credential proxy (Boost.Asio, plain or TLS).
// Included only by the proxy listener and its tests.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "actors/proxy_state.hpp"

namespace pincer {

/// One connection to an upstream: a TCP socket, with TLS for `https`
/// (verified against the system CA store and the host name). It models
/// Asio's stream concepts, so Beast reads and writes it directly.
class upstream_conn {
public:
  using executor_type = boost::asio::any_io_executor;
  using error_code = boost::system::error_code;

  upstream_conn(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                const upstream_url& url);

  executor_type get_executor() {
    return socket().get_executor();
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    else
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_)
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    else
      plain_->async_write_some(buffers, std::forward<Handler>(handler));
  }

  /// Resolves, connects and (for https) does the TLS handshake, giving up
  /// after `timeout`; calls `done` on the I/O thread.
  void connect(std::chrono::seconds timeout, std::function<void(error_code)> done);

  /// Closes the connection; pending operations end with an error.
  void close();

  /// Whether an idle connection is still open (the peer has not closed it).
  bool alive();

  /// Bytes read from the upstream and not yet parsed.
  boost::beast::flat_buffer buffer;

private:
  boost::asio::ip::tcp::socket& socket() {
    return tls_ ? tls_->next_layer() : *plain_;
  }

  upstream_url url_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  std::optional<boost::asio::ip::tcp::socket> plain_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
};

/// Idle keep-alive connections per upstream, reused by later requests.
class upstream_pool {
public:
  /// An idle connection to `url` that is still open, if any.
  std::unique_ptr<upstream_conn> take(const upstream_url& url);

  /// Keeps a connection for reuse (at most `max_idle` per upstream).
  void give(const upstream_url& url, std::unique_ptr<upstream_conn> conn, size_t max_idle);

  /// Closes every idle connection.
  void clear();

private:
  static std::string key(const upstream_url& url);

  std::unordered_map<std::string, std::vector<std::unique_ptr<upstream_conn>>> idle_;
};

} // namespace pincer
