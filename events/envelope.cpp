#include "events/envelope.hpp"

#include "events/sealed.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

json header_json(const event_header& h) {
  return json{{"seq", h.seq},
              {"stream", h.stream},
              {"streamVersion", h.stream_version},
              {"type", h.type},
              {"schemaVersion", h.schema_version},
              {"at", format_time(h.at)},
              {"actor", h.actor},
              {"requestId", h.request_id}};
}

} // namespace

json to_json(const envelope& e) {
  auto j = header_json(e);
  j["data"] = redact_sealed(e.data);
  return j;
}

json to_json(const record& r) {
  auto j = header_json(r);
  auto parsed = json::parse(r.data, nullptr, false);
  j["data"] = parsed.is_discarded() ? json(r.data) : redact_sealed(std::move(parsed));
  return j;
}

bool valid_stream_name(const std::string& stream) {
  if (stream.empty() || stream.size() > 200)
    return false;
  for (unsigned char c : stream)
    if (c < 0x21 || c > 0x7e)
      return false;
  return true;
}

} // namespace pincer
