#include "events/proxy_events.hpp"

#include "events/catalog.hpp"

namespace pincer {

std::string proxy_mapping_stream(const std::string& id) {
  return std::string{proxy_stream} + "/" + id;
}

void register_proxy_events(catalog& c) {
  using namespace event_types;
  c.add(proxy_started, {1, {}, "Started the credential proxy"});
  c.add(proxy_stopped, {1, {}, "Stopped the credential proxy"});
  c.add(proxy_port_set, {1, {}, "Set the credential proxy port"});
  c.add(proxy_mapping_added, {1, {}, "Added credential mapping {id}"});
  c.add(proxy_mapping_removed, {1, {}, "Removed credential mapping {id}"});
}

} // namespace pincer
