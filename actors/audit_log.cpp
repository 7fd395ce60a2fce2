#include "actors/audit_log.hpp"

#include "events/catalog.hpp"
#include "events/json_text.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

/// Appends the event's summary as a JSON string: the catalog's template with
/// `{id}` replaced by the stream's id, or the type when there is none.
void append_summary(std::string& out, const record& r) {
  auto info = event_catalog().find(r.type);
  if (!info || info->summary.empty()) {
    append_json_string(out, r.type);
    return;
  }
  std::string_view summary = info->summary;
  auto pos = summary.find("{id}");
  if (pos == std::string_view::npos) {
    append_json_string(out, summary);
    return;
  }
  std::string_view stream = r.stream;
  auto slash = stream.find('/');
  auto id = slash == std::string_view::npos ? stream : stream.substr(slash + 1);
  std::string text;
  text.reserve(summary.size() + id.size());
  text.append(summary.substr(0, pos)).append(id).append(summary.substr(pos + 4));
  append_json_string(out, text);
}

/// The audit outcome: `ok` unless the catalog derives it from the data.
std::string outcome_of(const event_view& e) {
  auto info = event_catalog().find(e.rec().type);
  if (!info || !info->outcome)
    return "ok";
  auto& data = e.data();
  return data.is_discarded() ? "failed" : info->outcome(data);
}

bool matches(const json& item, const audit_query& q, int64_t at) {
  if (q.since && at < *q.since)
    return false;
  if (q.until && at > *q.until)
    return false;
  if (!q.action.empty() && item["action"] != q.action)
    return false;
  if (!q.actor.empty() && item["actor"] != q.actor)
    return false;
  if (!q.resource.empty()) {
    auto& res = item["resource"].get_ref<const std::string&>();
    if (q.resource.back() == '/' ? res.rfind(q.resource, 0) != 0 : res != q.resource)
      return false;
  }
  return true;
}

} // namespace

std::string audit_projection::name() const {
  return "audit";
}

void audit_projection::project(const event_view& e, std::vector<row>& out) const {
  const auto& r = e.rec();
  std::string v;
  v.reserve(256);
  v += "{\"seq\":";
  v += std::to_string(r.seq);
  v += ",\"at\":";
  append_json_string(v, format_time(r.at));
  v += ",\"action\":";
  append_json_string(v, r.type);
  v += ",\"actor\":";
  append_json_string(v, r.actor);
  v += ",\"resource\":";
  append_json_string(v, r.stream);
  v += ",\"requestId\":";
  append_json_string(v, r.request_id);
  v += ",\"outcome\":";
  append_json_string(v, outcome_of(e));
  v += ",\"summary\":";
  append_summary(v, r);
  v += '}';
  out.emplace_back(be64(r.seq), std::move(v));
}

result<uint64_t> parse_u64(const query_params& q, const std::string& key, uint64_t fallback) {
  auto i = q.find(key);
  if (i == q.end())
    return fallback;
  auto& s = i->second;
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    return invalid(key, key + " must be a non-negative integer");
  return std::stoull(s);
}

result<size_t> parse_limit(const query_params& q) {
  auto limit = parse_u64(q, "limit", 100);
  if (!limit)
    return limit.err();
  if (*limit < 1 || *limit > 1000)
    return invalid("limit", "limit must be from 1 to 1000");
  return static_cast<size_t>(*limit);
}

result<audit_query> parse_audit_query(const query_params& q) {
  audit_query out;
  auto limit = parse_limit(q);
  if (!limit)
    return limit.err();
  out.limit = *limit;
  auto cursor = parse_u64(q, "cursor", 0);
  if (!cursor)
    return invalid("cursor", "cursor is not one this server gave out");
  out.before = *cursor;
  for (auto key : {"since", "until"}) {
    auto i = q.find(key);
    if (i == q.end())
      continue;
    auto t = parse_time(i->second);
    if (!t)
      return invalid(key, std::string{key} + " must be an RFC 3339 time");
    (std::string{key} == "since" ? out.since : out.until) = *t;
  }
  auto text = [&](const char* key, std::string& dst) {
    if (auto i = q.find(key); i != q.end())
      dst = i->second;
  };
  text("action", out.action);
  text("actor", out.actor);
  text("resource", out.resource);
  return out;
}

result<json> query_audit_log(const event_store& store, const audit_query& q) {
  json items = json::array();
  json next = nullptr;
  std::string start = q.before > 0 ? be64(q.before - 1) : std::string{};
  if (q.before == 1)
    return json{{"items", items}, {"nextCursor", next}};
  auto scanned = store.scan_projection("audit", start, true, [&](const std::string&,
                                                                  const std::string& value) {
    auto item = json::parse(value, nullptr, false);
    if (item.is_discarded())
      return true;
    auto at = parse_time(item["at"].get<std::string>()).value_or(0);
    if (q.since && at < *q.since)
      return false;
    if (!matches(item, q, at))
      return true;
    if (items.size() == q.limit) {
      next = std::to_string(items.back()["seq"].get<uint64_t>());
      return false;
    }
    items.push_back(std::move(item));
    return true;
  });
  if (!scanned)
    return scanned.err();
  return json{{"items", std::move(items)}, {"nextCursor", std::move(next)}};
}

} // namespace pincer
