#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// Environment variables for a container: name, value.
using env_pairs = std::vector<std::pair<std::string, std::string>>;

/// The placeholder containers hold instead of a real credential.
constexpr const char* proxy_placeholder = "CREDENTIAL_PROXY_PLACEHOLDER";

/// The default port of the proxy listener.
constexpr uint16_t default_proxy_port = 3001;

/// A parsed `upstreamUrl`.
struct upstream_url {
  bool tls = false;       ///< `https`.
  std::string host;       ///< Name or address (IPv6 without brackets).
  uint16_t port = 0;      ///< Explicit or the scheme's default.
  std::string base_path;  ///< Path prefix without trailing slash; may be empty.

  /// `host[:port]` as a `Host` header value (port only when not the default).
  std::string host_header() const;
};

/// Parses an upstream URL: `http` or `https`, a host, an optional port and
/// path; no user info, query, fragment, spaces or control characters.
result<upstream_url> parse_upstream_url(const std::string& text);

/// A validated `POST .../mappings` body.
struct mapping_request {
  std::string name;
  std::string upstream_url;
  std::string credential_type; ///< `api_key`, `bearer`, `basic` or `header`.
  std::string header_name;     ///< Only for `header`.
  std::string credential;
};

/// Validates a `POST .../mappings` body (`validation_failed` naming the field).
result<mapping_request> parse_mapping_request(const json& body);

/// Validates a `PUT .../port` body: `{"port": 1..65535}`.
result<uint16_t> parse_port_request(const json& body);

/// The header a credential goes into and its value, per credential type.
std::pair<std::string, std::string> credential_header(const std::string& credential_type,
                                                      const std::string& header_name,
                                                      const std::string& credential);

/// One credential mapping as the proxy state knows it (never the plain credential).
struct proxy_mapping {
  std::string id;
  std::string name;
  std::string upstream_url;
  std::string credential_type;
  std::string header_name;
  std::string placeholder = proxy_placeholder;
  int64_t created_at = 0;
  json sealed;  ///< The sealed credential, as in the event.
  /// Requests forwarded for this mapping since the server started.
  std::shared_ptr<std::atomic<uint64_t>> served = std::make_shared<std::atomic<uint64_t>>(0);

  /// `/m/<id>`.
  std::string proxy_path() const;
};

/// The `proxy.mapping_added` data (the credential only sealed).
json mapping_added_data(const proxy_mapping& m);

/// The state of the credential proxy, rebuilt from its streams.
struct proxy_state {
  bool running = false;        ///< Whether the proxy should run (from the log).
  uint16_t port = default_proxy_port;
  int64_t started_at = 0;
  uint64_t version = 0;        ///< Version of the `credential-proxy` stream applied.
  std::vector<proxy_mapping> mappings; ///< In creation order.

  /// The mapping with this id, or nullptr.
  const proxy_mapping* find(const std::string& id) const;

  /// Fails with `conflict` when a mapping has the same name (ignoring case).
  result<unit> check_new(const mapping_request& req) const;

  /// Applies one proxy event.
  void apply(const envelope& e);

  /// The status body; `host` is where the proxy listens (or would), and
  /// `bound_port` the port it listens on when `listening`.
  json status(const std::string& host, uint16_t bound_port, bool listening,
              uint64_t requests_served) const;
};

/// The variables a container gets per mapping: `<P>_BASE_URL` =
/// `http://<gateway_host>:<port>/m/<id>` and the placeholder in `<P>_API_KEY`
/// (`ANTHROPIC_AUTH_TOKEN` for a bearer mapping of `api.anthropic.com`). `P`
/// is `ANTHROPIC` / `OPENAI` for those APIs' hosts, else the mapping name in
/// upper case with `_` for other characters and a trailing `_API` dropped
/// (`P_` in front of a digit, `PROXY` when nothing is left); a later mapping
/// whose prefix is taken gets `_<first 8 characters of its id>` appended.
env_pairs proxy_container_env(const std::vector<proxy_mapping>& mappings,
                              const std::string& gateway_host, uint16_t port);

} // namespace pincer
