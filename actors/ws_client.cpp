#include "actors/ws_client.hpp"

#include <deque>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace pincer {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

std::optional<ws_url> parse_ws_url(const std::string& url) {
  ws_url out;
  std::string rest;
  if (url.rfind("wss://", 0) == 0) {
    out.tls = true;
    rest = url.substr(6);
  } else if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else {
    return std::nullopt;
  }
  auto slash = rest.find_first_of("/?#");
  auto authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  out.target = out.target.substr(0, out.target.find('#'));
  if (out.target.empty() || out.target[0] != '/')
    out.target = "/" + out.target;
  if (authority.empty() || authority.find('@') != std::string::npos)
    return std::nullopt;
  if (authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos)
      return std::nullopt;
    out.host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':')
        return std::nullopt;
      out.port = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos)
      out.port = authority.substr(colon + 1);
  }
  if (out.port.empty())
    out.port = out.tls ? "443" : "80";
  if (out.host.empty() || out.port.find_first_not_of("0123456789") != std::string::npos
      || out.port.size() > 5)
    return std::nullopt;
  return out;
}

// -- the loop -----------------------------------------------------------------

struct ws_loop::impl {
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> guard{io.get_executor()};
  std::thread thread;
};

ws_loop::ws_loop() : impl_(std::make_shared<impl>()) {
  auto* p = impl_.get();
  impl_->thread = std::thread([p] { p->io.run(); });
}

ws_loop::~ws_loop() {
  stop();
  if (impl_->thread.joinable()) {
    if (on_loop_thread())
      impl_->thread.detach();
    else
      impl_->thread.join();
  }
}

void ws_loop::join() {
  stop();
  if (impl_->thread.joinable() && !on_loop_thread())
    impl_->thread.join();
}

void ws_loop::post(std::function<void()> fn) {
  net::post(impl_->io, std::move(fn));
}

void ws_loop::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<net::steady_timer>(impl_->io, delay);
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec)
      fn();
  });
}

void ws_loop::stop() {
  impl_->guard.reset();
  impl_->io.stop();
}

bool ws_loop::on_loop_thread() const {
  return std::this_thread::get_id() == impl_->thread.get_id();
}

// -- connections --------------------------------------------------------------

namespace {

net::ssl::context& tls_context() {
  static net::ssl::context ctx = [] {
    net::ssl::context c{net::ssl::context::tls_client};
    c.set_default_verify_paths();
    c.set_verify_mode(net::ssl::verify_peer);
    return c;
  }();
  return ctx;
}

/// A connection over a plain (`tcp_stream`) or TLS (`ssl_stream`) socket.
template <class Stream>
class session : public ws_connection, public std::enable_shared_from_this<session<Stream>> {
public:
  template <class... Args>
  session(net::io_context& io, ws_url url, ws_handlers h, Args&&... args)
    : resolver_(io), ws_(std::forward<Args>(args)...), url_(std::move(url)),
      handlers_(std::move(h)) {
  }

  void start() {
    auto self = this->shared_from_this();
    resolver_.async_resolve(url_.host, url_.port,
                            [self](beast::error_code ec, tcp::resolver::results_type results) {
                              if (ec)
                                return self->finish(0, "cannot resolve: " + ec.message());
                              self->connect(results);
                            });
  }

  void send(std::string text) override {
    if (done_ || !open_)
      return;
    outbox_.push_back(std::move(text));
    if (outbox_.size() == 1)
      write_next();
  }

  void close(int code) override {
    if (done_ || closing_)
      return;
    closing_ = true;
    if (!open_) {
      drop();
      return;
    }
    auto self = this->shared_from_this();
    ws_.async_close(websocket::close_reason{static_cast<std::uint16_t>(code)},
                    [self, code](beast::error_code) {
                      self->finish(code, "closed by us");
                      self->shut();
                    });
  }

  void drop() override {
    auto was_open = open_;
    shut();
    finish(was_open ? 1006 : 0, "dropped by us");
  }

private:
  void connect(const tcp::resolver::results_type& results) {
    auto self = this->shared_from_this();
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds{15});
    beast::get_lowest_layer(ws_).async_connect(
      results, [self](beast::error_code ec, const tcp::endpoint&) {
        if (ec)
          return self->finish(0, "cannot connect: " + ec.message());
        self->secure();
      });
  }

  void secure() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), url_.host.c_str()))
        return finish(0, "cannot set the TLS server name");
      ws_.next_layer().set_verify_callback(net::ssl::host_name_verification(url_.host));
      auto self = this->shared_from_this();
      ws_.next_layer().async_handshake(net::ssl::stream_base::client,
                                       [self](beast::error_code ec) {
                                         if (ec)
                                           return self->finish(0, "TLS failed: " + ec.message());
                                         self->upgrade();
                                       });
    } else {
      upgrade();
    }
  }

  void upgrade() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "pincer (https://github.com, 0.1)");
    }));
    auto default_port = url_.tls ? "443" : "80";
    auto host = url_.port == default_port ? url_.host : url_.host + ":" + url_.port;
    auto self = this->shared_from_this();
    ws_.async_handshake(host, url_.target, [self](beast::error_code ec) {
      if (ec)
        return self->finish(0, "WebSocket handshake failed: " + ec.message());
      self->open_ = true;
      self->ws_.text(true);
      if (self->handlers_.on_open)
        self->handlers_.on_open();
      if (!self->done_)
        self->read();
    });
  }

  void read() {
    auto self = this->shared_from_this();
    ws_.async_read(buffer_, [self](beast::error_code ec, std::size_t) {
      if (self->done_)
        return;
      if (ec) {
        if (ec == websocket::error::closed) {
          auto& why = self->ws_.reason();
          return self->finish(why.code, std::string(why.reason.data(), why.reason.size()));
        }
        return self->finish(1006, ec.message());
      }
      auto text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->handlers_.on_text)
        self->handlers_.on_text(text);
      if (!self->done_ && !self->closing_)
        self->read();
    });
  }

  void write_next() {
    auto self = this->shared_from_this();
    ws_.async_write(net::buffer(outbox_.front()), [self](beast::error_code ec, std::size_t) {
      if (ec) {
        self->outbox_.clear();
        return;
      }
      self->outbox_.pop_front();
      if (!self->outbox_.empty() && !self->done_)
        self->write_next();
    });
  }

  void shut() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void finish(int code, const std::string& reason) {
    if (done_)
      return;
    done_ = true;
    if (handlers_.on_close)
      handlers_.on_close(code, reason);
  }

  tcp::resolver resolver_;
  websocket::stream<Stream> ws_;
  ws_url url_;
  ws_handlers handlers_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool open_ = false;
  bool closing_ = false;
  bool done_ = false;
};

/// A connection that never opened (a URL that is not a WebSocket URL).
class refused_connection : public ws_connection {
public:
  void send(std::string) override {
  }
  void close(int) override {
  }
  void drop() override {
  }
};

} // namespace

std::shared_ptr<ws_connection> ws_connection::open(ws_loop& loop, const std::string& url,
                                                   ws_handlers handlers) {
  auto parsed = parse_ws_url(url);
  if (!parsed) {
    auto on_close = handlers.on_close;
    loop.post([on_close, url] {
      if (on_close)
        on_close(0, "not a ws:// or wss:// URL: " + url);
    });
    return std::make_shared<refused_connection>();
  }
  auto& io = loop.impl_->io;
  if (parsed->tls) {
    using plain = beast::ssl_stream<beast::tcp_stream>;
    auto s = std::make_shared<session<plain>>(io, *parsed, std::move(handlers), io,
                                              tls_context());
    net::post(io, [s] { s->start(); });
    return s;
  }
  auto s = std::make_shared<session<beast::tcp_stream>>(io, *parsed, std::move(handlers), io);
  net::post(io, [s] { s->start(); });
  return s;
}

} // namespace pincer
