#include "actors/proxy_listener.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "actors/proxy_upstream.hpp"

namespace pincer {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr size_t chunk_size = 64 * 1024;
constexpr auto connect_timeout = std::chrono::seconds{10};
constexpr size_t max_idle_per_upstream = 64;

bool is_hop_by_hop(beast::string_view name) {
  static const char* names[] = {"connection", "keep-alive", "te", "trailer",
                                "transfer-encoding", "upgrade", "host", "content-length",
                                "expect"};
  for (auto n : names)
    if (beast::iequals(name, n))
      return true;
  return name.size() >= 6 && beast::iequals(name.substr(0, 6), "proxy-");
}

/// Whether `header` is named in a `Connection` header's list.
bool named_in_connection(beast::string_view connection, beast::string_view header) {
  for (auto& token : http::token_list{connection})
    if (beast::iequals(token, header))
      return true;
  return false;
}

} // namespace

// -- the listener's I/O side ---------------------------------------------------

/// State shared by the acceptor and every session, touched only on the I/O thread
/// (except `io` and the counters).
struct proxy_io {
  explicit proxy_io(asio::io_context& ctx) : io(ctx) {
  }
  asio::io_context& io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::shared_ptr<const proxy_routes> routes;
  std::shared_ptr<std::atomic<uint64_t>> served;
  upstream_pool pool;
};

namespace {

class session : public std::enable_shared_from_this<session> {
public:
  session(std::shared_ptr<proxy_io> io, tcp::socket socket)
    : io_(std::move(io)), client_(std::move(socket)) {
  }

  void start() {
    read_header();
  }

private:
  // -- request --------------------------------------------------------------

  void read_header() {
    req_.emplace();
    req_->header_limit(64 * 1024);
    // No limit; Boost 1.74 mishandles `boost::none` here, so the largest value.
    req_->body_limit(std::numeric_limits<std::uint64_t>::max());
    http::async_read_header(client_, cbuf_, *req_,
                            [self = shared_from_this()](error_code ec, size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(error_code ec) {
    if (ec) {
      if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted
          && ec != asio::error::connection_reset && ec != asio::error::eof)
        reply_error(400, "invalid_request", "The request is not valid HTTP.");
      else
        close();
      return;
    }
    io_->served->fetch_add(1, std::memory_order_relaxed);
    auto& h = req_->get();
    auto target = std::string{h.target()};
    if (target.compare(0, 3, "/m/") != 0)
      return reply_error(404, "not_found", "No such mapping.");
    auto end = target.find_first_of("/?", 3);
    auto id = target.substr(3, end == std::string::npos ? std::string::npos : end - 3);
    auto rest = end == std::string::npos ? std::string{} : target.substr(end);
    auto route = io_->routes->find(id);
    if (route == io_->routes->end())
      return reply_error(404, "not_found", "No such mapping.");
    if (has_dot_segment(rest))
      return reply_error(400, "validation_failed", "The path must not contain . or .. segments.");
    route_ = route->second;
    route_.served->fetch_add(1, std::memory_order_relaxed);
    auto path = route_.upstream.base_path + rest;
    if (path.empty() || path[0] == '?')
      path = "/" + path;
    build_upstream_request(path);
    if (beast::iequals(h[http::field::expect], "100-continue"))
      send_continue();
    else
      connect();
  }

  static bool has_dot_segment(const std::string& rest) {
    auto path = rest.substr(0, rest.find('?'));
    size_t i = 0;
    while (i < path.size()) {
      auto j = path.find('/', i + 1);
      auto seg = path.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1);
      if (seg == "." || seg == "..")
        return true;
      if (j == std::string::npos)
        break;
      i = j;
    }
    return false;
  }

  void build_upstream_request(const std::string& path) {
    auto& in = req_->get();
    out_req_ = {};
    out_req_.method_string(in.method_string());
    out_req_.target(path);
    out_req_.version(11);
    auto connection = in[http::field::connection];
    for (auto& f : in) {
      auto name = f.name_string();
      if (is_hop_by_hop(name) || named_in_connection(connection, name)
          || beast::iequals(name, "authorization") || beast::iequals(name, "x-api-key")
          || beast::iequals(name, route_.auth_name)
          || f.value().find(proxy_placeholder) != beast::string_view::npos)
        continue;
      out_req_.insert(name, f.value());
    }
    out_req_.set(http::field::host, route_.upstream.host_header());
    out_req_.set(route_.auth_name, route_.auth_value);
    if (auto len = req_->content_length())
      out_req_.content_length(*len);
    else if (req_->chunked())
      out_req_.chunked(true);
    out_req_.keep_alive(true);
    out_req_.body().data = nullptr;
    out_req_.body().more = !req_->is_done();
    keep_alive_ = in.keep_alive();
    head_ = in.method() == http::verb::head;
  }

  void send_continue() {
    continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
    http::async_write(client_, *continue_,
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec)
                          return self->close();
                        self->connect();
                      });
  }

  // -- upstream connection --------------------------------------------------

  void connect() {
    if (auto conn = io_->pool.take(route_.upstream)) {
      up_ = std::move(conn);
      return write_request_header();
    }
    up_ = std::make_unique<upstream_conn>(io_->io, io_->tls, route_.upstream);
    up_->connect(connect_timeout, [self = shared_from_this()](error_code ec) {
      if (ec) {
        spdlog::warn("credential proxy: cannot reach {}:{}: {}", self->route_.upstream.host,
                     self->route_.upstream.port, ec.message());
        return self->reply_error(502, "upstream_error", "The upstream is unreachable.");
      }
      self->write_request_header();
    });
  }

  void write_request_header() {
    req_sr_.emplace(out_req_);
    if (req_->is_done())
      return relay_request_body(); // no body: header and end in one write
    http::async_write_header(*up_, *req_sr_, [self = shared_from_this()](error_code ec, size_t) {
      if (ec)
        return self->reply_error(502, "upstream_error", "The upstream closed the connection.");
      self->relay_request_body();
    });
  }

  void relay_request_body() {
    if (req_->is_done()) {
      out_req_.body().data = nullptr;
      out_req_.body().more = false;
      return http::async_write(*up_, *req_sr_,
                               [self = shared_from_this()](error_code ec, size_t) {
                                 if (ec == http::error::need_buffer)
                                   ec = {};
                                 if (ec)
                                   return self->reply_error(502, "upstream_error",
                                                            "The upstream closed the connection.");
                                 self->read_response_header();
                               });
    }
    auto& body = req_->get().body();
    body.data = req_buf_;
    body.size = chunk_size;
    http::async_read_some(client_, cbuf_, *req_,
                          [self = shared_from_this()](error_code ec, size_t) {
                            self->on_request_body(ec);
                          });
  }

  void on_request_body(error_code ec) {
    if (ec == http::error::need_buffer)
      ec = {};
    if (ec)
      return close(); // the client is gone: drop the upstream request
    auto n = chunk_size - req_->get().body().size;
    if (n == 0 && !req_->is_done())
      return relay_request_body();
    out_req_.body().data = n ? req_buf_ : nullptr;
    out_req_.body().size = n;
    out_req_.body().more = !req_->is_done();
    http::async_write(*up_, *req_sr_, [self = shared_from_this()](error_code ec, size_t) {
      if (ec == http::error::need_buffer)
        ec = {};
      if (ec)
        return self->reply_error(502, "upstream_error", "The upstream closed the connection.");
      if (self->out_req_.body().more)
        self->relay_request_body();
      else
        self->read_response_header();
    });
  }

  // -- response -------------------------------------------------------------

  void read_response_header() {
    watch_client();
    res_.emplace();
    res_->body_limit(std::numeric_limits<std::uint64_t>::max());
    res_->header_limit(64 * 1024);
    if (head_)
      res_->skip(true);
    http::async_read_header(*up_, up_->buffer, *res_,
                            [self = shared_from_this()](error_code ec, size_t) {
                              self->on_response_header(ec);
                            });
  }

  void on_response_header(error_code ec) {
    if (ec) {
      spdlog::warn("credential proxy: no valid response from {}:{}: {}", route_.upstream.host,
                   route_.upstream.port, ec.message());
      return reply_error(502, "upstream_error", "The upstream sent no valid response.");
    }
    auto& in = res_->get();
    if (in.result_int() >= 100 && in.result_int() < 200)
      return read_response_header(); // interim answers stay with the proxy
    out_res_ = {};
    out_res_.result(in.result_int());
    out_res_.reason(in.reason());
    out_res_.version(11);
    auto connection = in[http::field::connection];
    for (auto& f : in) {
      auto name = f.name_string();
      if (is_hop_by_hop(name) || named_in_connection(connection, name))
        continue;
      out_res_.insert(name, f.value());
    }
    upstream_reusable_ = in.keep_alive();
    bool no_body = head_ || in.result_int() == 204 || in.result_int() == 304;
    if (auto len = res_->content_length())
      out_res_.content_length(*len);
    else if (!no_body)
      out_res_.chunked(true);
    if (!res_->content_length() && !res_->chunked() && !no_body)
      upstream_reusable_ = false; // the body ends when the upstream closes
    out_res_.keep_alive(keep_alive_);
    out_res_.body().data = nullptr;
    out_res_.body().more = !res_->is_done();
    res_sr_.emplace(out_res_);
    if (head_ && res_->content_length())
      res_sr_->split(true);
    responded_ = true;
    // A body that is already here goes out with the header in one write.
    if (!head_ && (res_->is_done() || up_->buffer.size() > 0))
      return relay_response_body();
    http::async_write_header(client_, *res_sr_,
                             [self = shared_from_this()](error_code ec, size_t) {
                               if (ec)
                                 return self->close();
                               self->relay_response_body();
                             });
  }

  void relay_response_body() {
    if (res_->is_done()) {
      out_res_.body().data = nullptr;
      out_res_.body().size = 0;
      out_res_.body().more = false;
      if (head_)
        return finish();
      return http::async_write(client_, *res_sr_,
                               [self = shared_from_this()](error_code ec, size_t) {
                                 if (ec == http::error::need_buffer)
                                   ec = {};
                                 if (ec)
                                   return self->close();
                                 self->finish();
                               });
    }
    auto& body = res_->get().body();
    body.data = res_buf_;
    body.size = chunk_size;
    http::async_read_some(*up_, up_->buffer, *res_,
                          [self = shared_from_this()](error_code ec, size_t) {
                            self->on_response_body(ec);
                          });
  }

  void on_response_body(error_code ec) {
    if (ec == http::error::need_buffer)
      ec = {};
    if (ec)
      return close();
    auto n = chunk_size - res_->get().body().size;
    if (n == 0 && !res_->is_done())
      return relay_response_body();
    out_res_.body().data = n ? res_buf_ : nullptr;
    out_res_.body().size = n;
    out_res_.body().more = !res_->is_done();
    http::async_write(client_, *res_sr_, [self = shared_from_this()](error_code ec, size_t) {
      if (ec == http::error::need_buffer)
        ec = {};
      if (ec)
        return self->close(); // the client is gone: drop the upstream request
      if (self->out_res_.body().more)
        self->relay_response_body();
      else
        self->finish();
    });
  }

  void finish() {
    ++generation_; // ends the client watch
    if (upstream_reusable_ && up_)
      io_->pool.give(route_.upstream, std::move(up_), max_idle_per_upstream);
    up_.reset();
    if (!keep_alive_)
      return close();
    req_sr_.reset();
    res_sr_.reset();
    res_.reset();
    responded_ = false;
    read_header();
  }

  // -- the client watch -----------------------------------------------------

  /// While the upstream answers, notices a client that hangs up and drops the
  /// upstream request then.
  void watch_client() {
    auto gen = generation_;
    client_.async_wait(tcp::socket::wait_read, [self = shared_from_this(), gen](error_code ec) {
      if (ec || gen != self->generation_ || self->closed_)
        return;
      char probe;
      auto n = ::recv(self->client_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        self->close();
    });
  }

  // -- answers of the proxy itself -------------------------------------------

  void reply_error(unsigned status, const char* code, const char* message) {
    if (responded_ || closed_)
      return close();
    responded_ = true;
    if (up_) {
      up_->close();
      up_.reset();
    }
    auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(status), 11);
    res->set(http::field::content_type, "application/json");
    res->keep_alive(false);
    res->body() = std::string{"{\"error\":{\"code\":\""} + code + "\",\"message\":\"" + message
                  + "\",\"details\":{}}}";
    res->prepare_payload();
    http::async_write(client_, *res, [self = shared_from_this(), res](error_code, size_t) {
      self->close();
    });
  }

  void close() {
    if (closed_)
      return;
    closed_ = true;
    ++generation_;
    error_code ignored;
    if (up_)
      up_->close();
    client_.shutdown(tcp::socket::shutdown_both, ignored);
    client_.close(ignored);
  }

  std::shared_ptr<proxy_io> io_;
  tcp::socket client_;
  beast::flat_buffer cbuf_;
  std::optional<http::request_parser<http::buffer_body>> req_;
  http::request<http::buffer_body> out_req_;
  std::optional<http::request_serializer<http::buffer_body>> req_sr_;
  std::optional<http::response_parser<http::buffer_body>> res_;
  http::response<http::buffer_body> out_res_;
  std::optional<http::response_serializer<http::buffer_body>> res_sr_;
  std::shared_ptr<http::response<http::empty_body>> continue_;
  std::unique_ptr<upstream_conn> up_;
  proxy_route route_;
  bool keep_alive_ = true;
  bool head_ = false;
  bool upstream_reusable_ = false;
  bool responded_ = false;
  bool closed_ = false;
  uint64_t generation_ = 0;
  char req_buf_[chunk_size];
  char res_buf_[chunk_size];
};

} // namespace

// -- proxy_listener ----------------------------------------------------------

struct proxy_listener::impl {
  std::unique_ptr<asio::io_context> context = std::make_unique<asio::io_context>(1);
  std::shared_ptr<proxy_io> io = std::make_shared<proxy_io>(*context);
  std::optional<tcp::acceptor> acceptor;
  std::thread thread;
  uint16_t port = 0;
  bool stopped = false;

  void accept() {
    acceptor->async_accept([this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open())
        return;
      if (!ec) {
        error_code ignored;
        socket.set_option(tcp::no_delay{true}, ignored);
        std::make_shared<session>(io, std::move(socket))->start();
      }
      accept();
    });
  }
};

proxy_listener::proxy_listener(std::unique_ptr<impl> p) : impl_(std::move(p)) {
}

proxy_listener::~proxy_listener() {
  stop();
}

result<std::unique_ptr<proxy_listener>>
proxy_listener::start(const std::string& host, uint16_t port,
                      std::shared_ptr<const proxy_routes> routes,
                      std::shared_ptr<std::atomic<uint64_t>> requests_served) {
  auto p = std::make_unique<impl>();
  p->io->routes = std::move(routes);
  p->io->served = std::move(requests_served);
  error_code ec;
  p->io->tls.set_default_verify_paths(ec);
  if (ec)
    spdlog::warn("credential proxy: cannot load the system CA store: {}", ec.message());
  p->io->tls.set_verify_mode(asio::ssl::verify_peer);
  auto address = asio::ip::make_address(host, ec);
  if (ec)
    return error{ec::validation_failed, "The proxy host must be an IP address.", "host"};
  p->acceptor.emplace(p->io->io);
  tcp::endpoint ep{address, port};
  p->acceptor->open(ep.protocol(), ec);
  if (!ec)
    p->acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec)
    p->acceptor->bind(ep, ec);
  if (!ec)
    p->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    if (ec == asio::error::address_in_use)
      return error{ec::conflict, "Port " + std::to_string(port) + " is in use."};
    return error{ec::internal, "cannot listen on " + host + ":" + std::to_string(port) + ": "
                                 + ec.message()};
  }
  p->port = p->acceptor->local_endpoint().port();
  p->accept();
  auto* raw = p.get();
  p->thread = std::thread{[raw] { raw->context->run(); }};
  return std::unique_ptr<proxy_listener>{new proxy_listener(std::move(p))};
}

uint16_t proxy_listener::port() const {
  return impl_->port;
}

void proxy_listener::routes(std::shared_ptr<const proxy_routes> routes) {
  if (impl_->stopped)
    return;
  asio::post(*impl_->context, [io = impl_->io, routes = std::move(routes)]() mutable {
    io->routes = std::move(routes);
  });
}

void proxy_listener::stop() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  impl_->context->stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
  error_code ignored;
  impl_->acceptor->close(ignored);
  impl_->acceptor.reset();
  impl_->io->pool.clear();
  impl_->io.reset();
  // Destroying the I/O context destroys every pending handler and with them
  // the sessions and their sockets.
  impl_->context.reset();
}

std::string container_bridge_address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    return {};
  std::string found;
  for (auto name : {"docker0", "podman0", "cni-podman0"}) {
    for (auto* a = list; a && found.empty(); a = a->ifa_next) {
      if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || std::string{a->ifa_name} != name)
        continue;
      char buf[INET_ADDRSTRLEN];
      auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
      if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf))
        found = buf;
    }
    if (!found.empty())
      break;
  }
  freeifaddrs(list);
  return found;
}

} // namespace pincer
