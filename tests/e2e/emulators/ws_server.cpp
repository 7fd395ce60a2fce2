#include "tests/e2e/emulators/ws_server.hpp"

#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace pincer::emu {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

class session : public ws_peer, public std::enable_shared_from_this<session> {
public:
  session(tcp::socket socket, uint64_t id, ws_server_handlers* handlers)
    : ws_(std::move(socket)), id_(id), handlers_(handlers) {
  }

  void start() {
    auto self = shared_from_this();
    // Read the upgrade request first to learn its target.
    beast::http::async_read(ws_.next_layer(), buffer_, request_parser_,
                            [self](beast::error_code ec, std::size_t) {
                              if (ec)
                                return;
                              self->target_ = std::string{self->request_parser_.get().target()};
                              self->ws_.async_accept(self->request_parser_.get(),
                                                     [self](beast::error_code ec) {
                                                       if (ec)
                                                         return;
                                                       self->open_ = true;
                                                       if (self->handlers_->on_open)
                                                         self->handlers_->on_open(self);
                                                       self->read();
                                                     });
                            });
  }

  void send(std::string text) override {
    auto self = shared_from_this();
    net::post(ws_.get_executor(), [self, text = std::move(text)]() mutable {
      if (self->done_)
        return;
      self->outbox_.push_back(std::move(text));
      if (self->outbox_.size() == 1)
        self->write_next();
    });
  }

  void close(int code) override {
    auto self = shared_from_this();
    net::post(ws_.get_executor(), [self, code] {
      if (self->done_ || self->closing_)
        return;
      self->closing_ = true;
      self->ws_.async_close(websocket::close_reason{static_cast<std::uint16_t>(code)},
                            [self, code](beast::error_code) { self->finish(code); });
    });
  }

  void drop() override {
    auto self = shared_from_this();
    net::post(ws_.get_executor(), [self] {
      beast::error_code ignored;
      self->ws_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
      self->ws_.next_layer().close(ignored);
      self->finish(1006);
    });
  }

  const std::string& target() const override {
    return target_;
  }

  uint64_t id() const override {
    return id_;
  }

private:
  void read() {
    auto self = shared_from_this();
    ws_.async_read(in_, [self](beast::error_code ec, std::size_t) {
      if (ec) {
        self->finish(ec == websocket::error::closed ? self->ws_.reason().code : 1006);
        return;
      }
      auto text = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      if (self->handlers_->on_text && !self->done_)
        self->handlers_->on_text(self, text);
      if (!self->done_)
        self->read();
    });
  }

  void write_next() {
    auto self = shared_from_this();
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()), [self](beast::error_code ec, std::size_t) {
      if (ec) {
        self->outbox_.clear();
        return;
      }
      self->outbox_.pop_front();
      if (!self->outbox_.empty())
        self->write_next();
    });
  }

  void finish(int code) {
    if (done_)
      return;
    done_ = true;
    if (open_ && handlers_->on_close)
      handlers_->on_close(shared_from_this(), code);
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  beast::flat_buffer in_;
  beast::http::request_parser<beast::http::empty_body> request_parser_;
  std::deque<std::string> outbox_;
  std::string target_;
  uint64_t id_;
  ws_server_handlers* handlers_;
  bool open_ = false;
  bool closing_ = false;
  bool done_ = false;
};

} // namespace

struct ws_server::impl {
  net::io_context io;
  tcp::acceptor acceptor{io};
  ws_server_handlers handlers;
  uint64_t next_id = 0;
  std::set<std::shared_ptr<session>> sessions;
  std::thread thread;
  std::once_flag stopped;
  uint16_t port = 0;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec)
        return;
      auto s = std::make_shared<session>(std::move(socket), ++next_id, &handlers);
      sessions.insert(s);
      s->start();
      accept();
    });
  }
};

ws_server::ws_server(ws_server_handlers handlers) : impl_(std::make_shared<impl>()) {
  impl_->handlers = std::move(handlers);
  tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  auto* p = impl_.get();
  impl_->thread = std::thread([p] { p->io.run(); });
}

ws_server::~ws_server() {
  stop();
}

uint16_t ws_server::port() const {
  return impl_->port;
}

std::string ws_server::url() const {
  return "ws://127.0.0.1:" + std::to_string(port());
}

void ws_server::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<net::steady_timer>(impl_->io, delay);
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec)
      fn();
  });
}

void ws_server::stop() {
  std::call_once(impl_->stopped, [this] {
    net::post(impl_->io, [p = impl_.get()] {
      beast::error_code ignored;
      p->acceptor.close(ignored);
      for (auto& s : p->sessions)
        s->drop();
    });
    impl_->io.stop();
    if (impl_->thread.joinable())
      impl_->thread.join();
    impl_->sessions.clear();
  });
}

} // namespace pincer::emu
