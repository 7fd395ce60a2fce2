#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/proxy_state.hpp"
#include "events/error.hpp"

namespace pincer {

/// Where the proxy forwards one mapping's requests, and with what credential.
struct proxy_route {
  upstream_url upstream;
  std::string auth_name;  ///< The header the credential goes into.
  std::string auth_value; ///< Its value (plain credential, in memory only).
  /// Counts the requests forwarded for the mapping.
  std::shared_ptr<std::atomic<uint64_t>> served;
};

/// Routes by mapping id.
using proxy_routes = std::unordered_map<std::string, proxy_route>;

/// The credential proxy's HTTP listener (Boost.Beast on its own I/O thread):
/// forwards `/m/<id>/<rest>` to the mapping's upstream with the credential
/// put in, streaming request and response bodies in both directions.
class proxy_listener {
public:
  /// Binds `host:port` (0 picks a free port) and starts serving. Fails with
  /// `conflict` when the port is in use.
  static result<std::unique_ptr<proxy_listener>>
  start(const std::string& host, uint16_t port, std::shared_ptr<const proxy_routes> routes,
        std::shared_ptr<std::atomic<uint64_t>> requests_served);

  ~proxy_listener();

  proxy_listener(const proxy_listener&) = delete;
  proxy_listener& operator=(const proxy_listener&) = delete;

  /// The bound port.
  uint16_t port() const;

  /// Replaces the routes; requests already forwarded keep theirs.
  void routes(std::shared_ptr<const proxy_routes> routes);

  /// Stops accepting, closes every connection and joins the I/O thread.
  void stop();

  struct impl;

private:
  explicit proxy_listener(std::unique_ptr<impl> p);

  std::unique_ptr<impl> impl_;
};

/// The address of a container bridge (`docker0`, `podman0`, `cni-podman0`),
/// or "" when none exists.
std::string container_bridge_address();

} // namespace pincer
