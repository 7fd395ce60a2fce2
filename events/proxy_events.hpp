#pragma once

#include <string>

namespace pincer {

class catalog;

/// Event types of the credential proxy.
namespace event_types {
constexpr const char* proxy_started = "proxy.started";
constexpr const char* proxy_stopped = "proxy.stopped";
constexpr const char* proxy_port_set = "proxy.port_set";
constexpr const char* proxy_mapping_added = "proxy.mapping_added";
constexpr const char* proxy_mapping_removed = "proxy.mapping_removed";
} // namespace event_types

/// The stream of the proxy's running state and port.
constexpr const char* proxy_stream = "credential-proxy";

/// The stream of one mapping: `credential-proxy/<id>`.
std::string proxy_mapping_stream(const std::string& id);

/// Adds the credential-proxy event types to a catalog.
void register_proxy_events(catalog& c);

} // namespace pincer
