#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/proxy_listener.hpp"
#include "actors/proxy_state.hpp"
#include "actors/secrets.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// How the proxy listens.
struct proxy_settings {
  /// Bind address; empty means the container bridge's address when one
  /// exists, else 127.0.0.1.
  std::string host;
  /// Port until a `PUT .../port` sets one (0 picks a free port).
  uint16_t port = default_proxy_port;
};

/// The secret-box owner id of a mapping: `credential-proxy/<id>`.
std::string proxy_secret_owner(const std::string& mapping_id);

/// State of the credential-proxy actor.
struct proxy_actor_state {
  std::shared_ptr<event_store> store;
  event_log_actor log;
  std::shared_ptr<secret_box> secrets;
  proxy_settings settings;
  proxy_state proxy;
  /// Routes with their opened credentials, by mapping id.
  std::map<std::string, proxy_route> routes;
  std::unique_ptr<proxy_listener> listener;
  std::shared_ptr<std::atomic<uint64_t>> served = std::make_shared<std::atomic<uint64_t>>(0);

  /// Where the listener binds.
  std::string bind_host() const;

  /// The route table the listener gets.
  std::shared_ptr<const proxy_routes> route_table() const;

  /// Adds the route of a mapping from its plain credential.
  void add_route(const proxy_mapping& m, const std::string& credential);

  /// The status body.
  json status() const;

  static inline const char* name = "credential-proxy";
};

/// The credential-proxy actor: rebuilds its state from the log, restarts the
/// listener if it was running, and owns mappings, port and running state.
proxy_actor::behavior_type credential_proxy(proxy_actor::stateful_pointer<proxy_actor_state> self,
                                            std::shared_ptr<event_store> store,
                                            event_log_actor log,
                                            std::shared_ptr<secret_box> secrets,
                                            proxy_settings settings);

} // namespace pincer
