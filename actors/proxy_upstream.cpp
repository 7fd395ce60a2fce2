#include "actors/proxy_upstream.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace pincer {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

upstream_conn::upstream_conn(asio::io_context& io, asio::ssl::context& tls,
                             const upstream_url& url)
  : url_(url), resolver_(io), timer_(io) {
  if (url.tls) {
    tls_.emplace(io, tls);
    asio::ip::address ip;
    error_code ec;
    ip = asio::ip::make_address(url.host, ec);
    if (ec) // SNI only for names
      SSL_set_tlsext_host_name(tls_->native_handle(), url.host.c_str());
    tls_->set_verify_mode(asio::ssl::verify_peer);
    tls_->set_verify_callback(asio::ssl::host_name_verification(url.host));
  } else {
    plain_.emplace(io);
  }
}

void upstream_conn::connect(std::chrono::seconds timeout, std::function<void(error_code)> done) {
  auto finished = std::make_shared<bool>(false);
  auto finish = [this, finished, done](error_code ec) {
    if (*finished)
      return;
    *finished = true;
    timer_.cancel();
    done(ec);
  };
  timer_.expires_after(timeout);
  timer_.async_wait([this, finished](error_code ec) {
    if (ec || *finished)
      return;
    resolver_.cancel();
    error_code ignored;
    socket().close(ignored);
  });
  resolver_.async_resolve(
    url_.host, std::to_string(url_.port),
    [this, finish](error_code ec, tcp::resolver::results_type results) {
      if (ec)
        return finish(ec);
      asio::async_connect(socket(), results, [this, finish](error_code ec, const tcp::endpoint&) {
        if (ec)
          return finish(ec);
        error_code ignored;
        socket().set_option(tcp::no_delay{true}, ignored);
        if (!tls_)
          return finish({});
        tls_->async_handshake(asio::ssl::stream_base::client, finish);
      });
    });
}

void upstream_conn::close() {
  error_code ignored;
  timer_.cancel();
  resolver_.cancel();
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

bool upstream_conn::alive() {
  if (!socket().is_open() || buffer.size() != 0)
    return false;
  char probe;
  auto n = ::recv(socket().native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::string upstream_pool::key(const upstream_url& url) {
  return (url.tls ? "s:" : "p:") + url.host + ":" + std::to_string(url.port);
}

std::unique_ptr<upstream_conn> upstream_pool::take(const upstream_url& url) {
  auto i = idle_.find(key(url));
  if (i == idle_.end())
    return nullptr;
  while (!i->second.empty()) {
    auto conn = std::move(i->second.back());
    i->second.pop_back();
    if (conn->alive())
      return conn;
    conn->close();
  }
  return nullptr;
}

void upstream_pool::give(const upstream_url& url, std::unique_ptr<upstream_conn> conn,
                         size_t max_idle) {
  auto& list = idle_[key(url)];
  if (list.size() >= max_idle) {
    conn->close();
    return;
  }
  list.push_back(std::move(conn));
}

void upstream_pool::clear() {
  for (auto& [k, list] : idle_)
    for (auto& c : list)
      c->close();
  idle_.clear();
}

} // namespace pincer
