#include "events/namespace_events.hpp"

#include <algorithm>
#include <cctype>

#include "events/catalog.hpp"

namespace pincer {

std::string namespace_stream(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return "namespace/" + lower;
}

void register_namespace_events(catalog& c) {
  using namespace event_types;
  // Version 1 of namespace.created had no `requiresTrigger`: every group but
  // the main one needed the trigger.
  event_type_info created;
  created.current_version = 2;
  created.upcasters.push_back([](json d) {
    if (!d.contains("requiresTrigger"))
      d["requiresTrigger"] = !d.value("isMain", false);
    return d;
  });
  created.summary = "Created namespace {id}";
  c.add(namespace_created, created);
  c.add(namespace_updated, {1, {}, "Updated namespace {id}"});
  c.add(namespace_deleted, {1, {}, "Deleted namespace {id}"});
  c.add(instructions_updated, {1, {}, "Updated instructions of {id}"});
}

} // namespace pincer
