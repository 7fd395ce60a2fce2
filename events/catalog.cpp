#include "events/catalog.hpp"

#include "events/channel_events.hpp"
#include "events/container_events.hpp"
#include "events/queue_events.hpp"
#include "events/namespace_events.hpp"
#include "events/schedule_events.hpp"
#include "events/proxy_events.hpp"

namespace pincer {

void catalog::add(std::string type, event_type_info info) {
  types_[std::move(type)] = std::move(info);
}

const event_type_info* catalog::find(const std::string& type) const {
  auto i = types_.find(type);
  return i == types_.end() ? nullptr : &i->second;
}

draft catalog::make(const std::string& type, json data) const {
  auto info = find(type);
  return draft{type, info ? info->current_version : 1u, std::move(data)};
}

result<envelope> catalog::decode(const record& r) const {
  auto fail = [&](const std::string& why) {
    return error{ec::undecodable_event,
                 "event " + std::to_string(r.seq) + " (" + r.type + "): " + why};
  };
  if (!r.checksum_ok)
    return fail("checksum mismatch");
  auto info = find(r.type);
  if (!info)
    return fail("unknown event type");
  if (r.schema_version == 0 || r.schema_version > info->current_version)
    return fail("unknown schema version " + std::to_string(r.schema_version));
  envelope e;
  static_cast<event_header&>(e) = r;
  e.data = json::parse(r.data, nullptr, false);
  if (e.data.is_discarded())
    return fail("data is not valid JSON");
  try {
    for (auto v = r.schema_version; v < info->current_version; ++v)
      e.data = info->upcasters.at(v - 1)(std::move(e.data));
  } catch (const std::exception& ex) {
    return fail(std::string{"upcast failed: "} + ex.what());
  }
  e.schema_version = info->current_version;
  return e;
}

std::vector<std::string> catalog::types() const {
  std::vector<std::string> out;
  for (auto& kv : types_)
    out.push_back(kv.first);
  return out;
}

const catalog& event_catalog() {
  static const catalog instance = [] {
    catalog c;
    register_namespace_events(c);
    register_container_events(c);
    register_schedule_events(c);
    register_channel_events(c);
    register_proxy_events(c);
    register_queue_events(c);
    return c;
  }();
  return instance;
}

} // namespace pincer
