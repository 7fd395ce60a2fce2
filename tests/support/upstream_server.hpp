#pragma once

// A local HTTP(S) server that stands in for a credential-proxy upstream: it
// records what it receives and answers in the real wire format. Header-only
// so every test folder can use it.

#include <poll.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace pincer::test {

/// A request as the upstream saw it.
struct seen_request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers; ///< In arrival order.
  uint64_t body_bytes = 0;
  std::string body_head; ///< The first 4 KiB of the body.

  /// The value of a header (any case), or nullopt.
  std::optional<std::string> header(const std::string& name) const {
    for (auto& [k, v] : headers)
      if (boost::beast::iequals(k, name))
        return v;
    return std::nullopt;
  }
};

/// A self-signed certificate for `localhost` and 127.0.0.1 (PEM).
struct test_certificate {
  std::string cert_pem;
  std::string key_pem;

  static test_certificate make() {
    test_certificate out;
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(std::time(nullptr)));
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600 * 24);
    X509_set_pubkey(x, key);
    auto* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      auto* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x, key, EVP_sha256());
    auto pem = [](auto write) {
      BIO* bio = BIO_new(BIO_s_mem());
      write(bio);
      char* data = nullptr;
      auto n = BIO_get_mem_data(bio, &data);
      std::string text{data, static_cast<size_t>(n)};
      BIO_free(bio);
      return text;
    };
    out.cert_pem = pem([&](BIO* b) { PEM_write_bio_X509(b, x); });
    out.key_pem = pem([&](BIO* b) {
      PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
    X509_free(x);
    EVP_PKEY_free(key);
    return out;
  }
};

/// The upstream. Paths: `/sse` answers Server-Sent Events (`data: first`,
/// then waits for `release_sse()` before `data: second`); `/status/<code>`
/// answers that status; anything else answers 200 `{"ok":true,"bytes":N}`.
class upstream_server {
public:
  /// Starts on 127.0.0.1 with an ephemeral port; TLS when `cert` is given.
  explicit upstream_server(std::optional<test_certificate> cert = std::nullopt)
    : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (cert) {
      tls_.emplace(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain(boost::asio::buffer(cert->cert_pem));
      tls_->use_private_key(boost::asio::buffer(cert->key_pem), boost::asio::ssl::context::pem);
    }
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread{[this] { accept_loop(); }};
  }

  ~upstream_server() {
    stop();
  }

  uint16_t port() const {
    return port_;
  }

  /// `http://127.0.0.1:<port>` (or `https://localhost:<port>` with TLS).
  std::string url() const {
    return tls_ ? "https://localhost:" + std::to_string(port_)
                : "http://127.0.0.1:" + std::to_string(port_);
  }

  /// Every request seen so far.
  std::vector<seen_request> requests() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return seen_;
  }

  /// The last request, waiting up to 5 s for one.
  seen_request last() const {
    std::unique_lock<std::mutex> lock{mtx_};
    cv_.wait_for(lock, std::chrono::seconds{5}, [this] { return !seen_.empty(); });
    return seen_.empty() ? seen_request{} : seen_.back();
  }

  /// Lets a waiting `/sse` answer send its second event.
  void release_sse() {
    std::lock_guard<std::mutex> guard{mtx_};
    sse_released_ = true;
    cv_.notify_all();
  }

  /// Waits up to `timeout` for an `/sse` request whose client hung up.
  bool sse_cancelled(std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock{mtx_};
    return cv_.wait_for(lock, timeout, [this] { return sse_cancelled_; });
  }

  void stop() {
    if (stopped_.exchange(true))
      return;
    release_sse();
    // A blocking accept() wakes up on shutdown(), not on close().
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    {
      std::lock_guard<std::mutex> guard{mtx_};
      for (auto& s : sockets_)
        ::shutdown(s, SHUT_RDWR);
    }
    if (thread_.joinable())
      thread_.join();
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& t : workers_)
      t.join();
  }

private:
  using tcp = boost::asio::ip::tcp;

  void accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket{io_};
      acceptor_.accept(socket, ec);
      if (ec || stopped_)
        return;
      std::lock_guard<std::mutex> guard{mtx_};
      sockets_.push_back(socket.native_handle());
      workers_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  void serve(tcp::socket socket) {
    if (!tls_)
      return serve_stream(socket, socket.native_handle());
    boost::asio::ssl::stream<tcp::socket> stream{std::move(socket), *tls_};
    boost::system::error_code ec;
    stream.handshake(boost::asio::ssl::stream_base::server, ec);
    if (!ec)
      serve_stream(stream, stream.next_layer().native_handle());
  }

  template <class Stream>
  void serve_stream(Stream& stream, int fd) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    char chunk[64 * 1024];
    for (;;) {
      boost::system::error_code ec;
      http::request_parser<http::buffer_body> parser;
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      http::read_header(stream, buffer, parser, ec);
      if (ec)
        return;
      seen_request seen;
      seen.method = std::string{parser.get().method_string()};
      seen.target = std::string{parser.get().target()};
      for (auto& f : parser.get())
        seen.headers.emplace_back(std::string{f.name_string()}, std::string{f.value()});
      while (!parser.is_done()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof chunk;
        http::read(stream, buffer, parser, ec);
        if (ec == http::error::need_buffer)
          ec = {};
        if (ec)
          return;
        auto n = sizeof chunk - parser.get().body().size;
        if (seen.body_head.size() < 4096)
          seen.body_head.append(chunk, std::min(n, 4096 - seen.body_head.size()));
        seen.body_bytes += n;
      }
      bool keep_alive = parser.get().keep_alive();
      auto target = seen.target;
      auto bytes = seen.body_bytes;
      {
        std::lock_guard<std::mutex> guard{mtx_};
        seen_.push_back(std::move(seen));
        cv_.notify_all();
      }
      if (target.find("/sse") != std::string::npos) {
        answer_sse(stream, fd);
        return;
      }
      unsigned status = 200;
      if (auto p = target.find("/status/"); p != std::string::npos)
        status = static_cast<unsigned>(std::stoul(target.substr(p + 8, 3)));
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.set(http::field::content_type, "application/json");
      res.set("X-Upstream", "test");
      res.set(http::field::connection, "keep-alive, X-Drop-Me");
      res.set("X-Drop-Me", "hop");
      res.keep_alive(keep_alive);
      res.body() = "{\"ok\":true,\"bytes\":" + std::to_string(bytes) + "}";
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec || !keep_alive)
        return;
    }
  }

  template <class Stream>
  void answer_sse(Stream& stream, int fd) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "text/event-stream");
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    http::write_header(stream, sr, ec);
    boost::asio::write(stream, http::make_chunk(boost::asio::buffer(std::string{"data: first\n\n"})),
                       ec);
    // Wait for the release, noticing a client that hangs up meanwhile.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    for (;;) {
      {
        std::lock_guard<std::mutex> guard{mtx_};
        if (sse_released_)
          break;
      }
      pollfd p{fd, POLLIN | POLLRDHUP, 0};
      if (::poll(&p, 1, 20) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
        std::lock_guard<std::mutex> guard{mtx_};
        sse_cancelled_ = true;
        cv_.notify_all();
        return;
      }
      if (std::chrono::steady_clock::now() > deadline)
        return;
    }
    boost::asio::write(stream,
                       http::make_chunk(boost::asio::buffer(std::string{"data: second\n\n"})), ec);
    boost::asio::write(stream, http::make_chunk_last(), ec);
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::optional<boost::asio::ssl::context> tls_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::list<std::thread> workers_;
  std::vector<int> sockets_;
  std::atomic<bool> stopped_{false};
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::vector<seen_request> seen_;
  bool sse_released_ = false;
  bool sse_cancelled_ = false;
};

} // namespace pincer::test
