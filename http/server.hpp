#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/core.hpp"
#include "events/error.hpp"
#include "http/security.hpp"

namespace pincer::http {

/// The OpenAPI document of the source tree (`docs/openapi.json`).
std::string default_openapi_path();

/// Settings of the REST front end.
struct http_config {
  std::string host = "127.0.0.1";
  uint16_t port = 55765;                 ///< 0 picks an ephemeral port.
  std::vector<std::string> api_keys;     ///< Empty: auth is off.
  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds handle_request_timeout{15};
  std::string openapi_path = default_openapi_path();
  size_t threads = 1;                    ///< asio worker threads.
};

/// The RESTinio server serving `/api/v1` on top of a `core`.
class http_server {
public:
  /// Reads the OpenAPI document, binds the acceptor and starts serving;
  /// returns once the port is bound. `c` must outlive the server.
  static result<std::unique_ptr<http_server>> start(core& c, http_config cfg);

  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// The bound port (the real one when the configured port was 0).
  uint16_t port() const noexcept;

  /// Stops accepting, ends open event streams, lets in-flight requests be
  /// answered, then stops the worker threads. Idempotent.
  void stop();

  struct impl;

private:
  explicit http_server(std::unique_ptr<impl> ptr);

  std::unique_ptr<impl> impl_;
};

} // namespace pincer::http

namespace pincer {
using http::http_config;
using http::http_server;
using http::is_loopback;
} // namespace pincer
