#include "storage/append_plan.hpp"

#include <unordered_map>

namespace pincer {

namespace {

result<std::vector<record>>
plan_one(const append_request& req, uint64_t current, uint64_t first_seq,
         int64_t at) {
  if (!valid_stream_name(req.stream))
    return invalid("stream", "invalid stream name: must be 1 to 200 printable "
                             "ASCII characters without spaces");
  if (req.expected_version != any_version && req.expected_version != current)
    return error{ec::conflict, "stream " + req.stream + " is at version "
                                 + std::to_string(current) + ", expected "
                                 + std::to_string(req.expected_version)};
  std::vector<record> out;
  out.reserve(req.events.size());
  for (const auto& d : req.events) {
    if (d.type.empty())
      return invalid("type", "event type must not be empty");
    record r;
    r.seq = first_seq + out.size();
    r.stream = req.stream;
    r.stream_version = current + out.size() + 1;
    r.type = d.type;
    r.schema_version = d.schema_version;
    r.at = at;
    r.actor = req.actor;
    r.request_id = req.request_id;
    try {
      r.data = d.data.dump();
    } catch (const json::exception& e) {
      return invalid("data", std::string{"event data cannot be serialized: "}
                               + e.what());
    }
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace

append_plan plan_append(const std::vector<append_request>& requests,
                        uint64_t last_seq, int64_t at,
                        const version_lookup& version_of) {
  append_plan plan;
  plan.results.reserve(requests.size());
  std::unordered_map<std::string, uint64_t> versions;
  for (const auto& req : requests) {
    uint64_t current = 0;
    if (valid_stream_name(req.stream)) {
      auto i = versions.find(req.stream);
      if (i == versions.end())
        i = versions.emplace(req.stream, version_of(req.stream)).first;
      current = i->second;
    }
    auto res = plan_one(req, current, last_seq + 1, at);
    if (res && !res->empty()) {
      last_seq = res->back().seq;
      versions[req.stream] = res->back().stream_version;
    }
    plan.results.push_back(std::move(res));
  }
  plan.last_seq = last_seq;
  return plan;
}

bool valid_projection_name(const std::string& projection) {
  return !projection.empty() && projection.find('\0') == std::string::npos;
}

} // namespace pincer
