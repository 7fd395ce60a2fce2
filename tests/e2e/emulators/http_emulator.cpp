#include "tests/e2e/emulators/http_emulator.hpp"

#include <algorithm>
#include <cctype>

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace pincer::emu {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct http_emulator::impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
};

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1]))
               && std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

http_emulator::http_emulator(emu_handler handler)
  : handler_(std::move(handler)), impl_(std::make_unique<impl>()) {
  tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), 0};
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  acceptor_ = std::thread{[this] { accept_loop(); }};
}

http_emulator::~http_emulator() {
  stop();
}

std::string http_emulator::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void http_emulator::stop() {
  if (stopping_.exchange(true))
    return;
  {
    // Wakes the blocking accept.
    boost::system::error_code ec;
    asio::io_context io;
    tcp::socket s{io};
    s.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
  }
  if (acceptor_.joinable())
    acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (int fd : open_fds_)
      ::shutdown(fd, SHUT_RDWR);
    threads.swap(connections_);
  }
  for (auto& t : threads)
    if (t.joinable())
      t.join();
}

void http_emulator::accept_loop() {
  for (;;) {
    tcp::socket socket{impl_->io};
    boost::system::error_code ec;
    impl_->acceptor.accept(socket, ec);
    if (stopping_.load() || ec)
      break;
    int fd = socket.release(ec);
    if (ec)
      continue;
    std::lock_guard<std::mutex> guard{mtx_};
    open_fds_.insert(fd);
    connections_.emplace_back([this, fd] { serve(fd); });
  }
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

void http_emulator::serve(int fd) {
  asio::io_context io;
  tcp::socket socket{io};
  boost::system::error_code ec;
  socket.assign(tcp::v4(), fd, ec);
  beast::flat_buffer buffer;
  while (!ec && !stopping_.load()) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec)
      break;
    emu_request r;
    r.method = std::string{req.method_string()};
    auto target = std::string{req.target()};
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      size_t pos = 0;
      while (pos <= rest.size()) {
        auto amp = rest.find('&', pos);
        auto part = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        auto eq = part.find('=');
        if (!part.empty())
          r.query[url_decode(part.substr(0, eq))] =
            eq == std::string::npos ? std::string{} : url_decode(part.substr(eq + 1));
        if (amp == std::string::npos)
          break;
        pos = amp + 1;
      }
    }
    for (auto& f : req) {
      std::string name{f.name_string()};
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      r.headers[name] = std::string{f.value()};
    }
    r.body = req.body();
    auto answer = handler_(r);
    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    res.set(http::field::content_type, answer.content_type);
    for (auto& [k, v] : answer.headers)
      res.set(k, v);
    res.body() = std::move(answer.body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(socket, res, ec);
    if (!req.keep_alive())
      break;
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
  std::lock_guard<std::mutex> guard{mtx_};
  open_fds_.erase(socket.native_handle());
  socket.close(ec);
}

} // namespace pincer::emu
