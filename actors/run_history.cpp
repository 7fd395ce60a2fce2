#include "actors/run_history.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "actors/audit_log.hpp"
#include "actors/namespace_state.hpp"
#include "events/json_text.hpp"
#include "events/queue_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr char started_part = 's';
constexpr char finished_part = 'f';
constexpr int64_t max_start_ms = int64_t{1} << 53;

// -- reading event data -------------------------------------------------------

/// Epoch ms from a number or an RFC 3339 string; `fallback` otherwise.
int64_t time_field(const json& data, const char* key, int64_t fallback) {
  auto i = data.find(key);
  if (i == data.end())
    return fallback;
  if (i->is_number_integer() || i->is_number_unsigned())
    return i->get<int64_t>();
  if (i->is_number_float())
    return static_cast<int64_t>(i->get<double>());
  if (i->is_string())
    return parse_time(i->get_ref<const std::string&>()).value_or(fallback);
  return fallback;
}

/// The field's value when present, else null.
json field(const json& data, const char* key) {
  auto i = data.find(key);
  return i == data.end() ? json{} : *i;
}

/// The group of an event: `group` in the data, else the stream's name part.
std::string group_of(const record& r, const json& data) {
  if (auto g = data.find("group"); g != data.end() && g->is_string())
    return g->get<std::string>();
  auto slash = r.stream.find('/');
  return slash == std::string::npos ? r.stream : r.stream.substr(slash + 1);
}

std::string run_key(int64_t started_at, const std::string& run_id) {
  auto ms = std::min(std::max<int64_t>(started_at, 0), max_start_ms);
  return be64(static_cast<uint64_t>(ms)) + run_id + '\0';
}

std::string group_prefix(const std::string& group) {
  return "g" + namespace_key(group) + '\0';
}

// -- cursors ------------------------------------------------------------------

std::string to_hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::optional<std::string> from_hex(const std::string& text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    return -1;
  };
  if (text.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// -- scanning -----------------------------------------------------------------

/// The run ids whose batch was dropped.
result<std::set<std::string>> dropped_runs(const event_store& store) {
  std::set<std::string> out;
  auto ok = store.scan_projection(run_history_name, "d", false,
                                  [&](const std::string& key, const std::string&) {
                                    if (key.empty() || key[0] != 'd')
                                      return false;
                                    out.insert(key.substr(1));
                                    return true;
                                  });
  if (!ok)
    return ok.err();
  return out;
}

/// An item with every field, from a run's parts.
json merge(const json& started, const json& finished, bool dropped) {
  json item{{"runId", nullptr},      {"group", nullptr},   {"trigger", nullptr},
            {"scheduleId", nullptr}, {"containerName", nullptr}, {"image", nullptr},
            {"startedAt", nullptr},  {"finishedAt", nullptr},    {"durationMs", nullptr},
            {"status", "running"},   {"exitCode", nullptr},      {"error", nullptr},
            {"outputs", 0}};
  // The started part names the run; the finished part adds the outcome and
  // fills in what the started part lacks (its row may be missing entirely).
  static const std::set<std::string> identity{"group", "trigger", "scheduleId",
                                              "containerName", "image", "startedAt"};
  bool has_start = started.is_object();
  for (auto* part : {&started, &finished})
    if (part->is_object())
      for (auto& [k, v] : part->items())
        if (part == &started || !has_start || !identity.count(k) || item[k].is_null())
          item[k] = v;
  if (dropped)
    item["status"] = "dropped";
  return item;
}

/// Visits merged runs under `prefix`, newest first, older than run key
/// `before` (all when empty); `f` gets the item and its run key and returns
/// false to stop.
result<unit> scan_runs(const event_store& store, const std::string& prefix,
                       const std::string& before,
                       const std::function<bool(json, const std::string&)>& f) {
  auto drops = dropped_runs(store);
  if (!drops)
    return drops.err();
  std::string start = prefix + (before.empty() ? std::string(9, '\xff') : before);
  std::string current;
  json started, finished;
  auto flush = [&] {
    if (current.empty())
      return true;
    // The run id sits between be64(startedAt) and the closing NUL.
    auto run_id = current.substr(8, current.size() - 9);
    auto item = merge(started, finished, drops->count(run_id) > 0);
    started = finished = json{};
    return f(std::move(item), current);
  };
  auto ok = store.scan_projection(
    run_history_name, start, true, [&](const std::string& key, const std::string& value) {
      if (key.compare(0, prefix.size(), prefix) != 0 || key.size() < prefix.size() + 11)
        return false;
      auto rk = key.substr(prefix.size(), key.size() - prefix.size() - 1);
      if (rk != current) {
        if (!flush()) {
          current.clear();
          return false;
        }
        current = rk;
      }
      auto part = json::parse(value, nullptr, false);
      (key.back() == finished_part ? finished : started) = std::move(part);
      return true;
    });
  if (!ok)
    return ok.err();
  if (!current.empty())
    flush();
  return unit{};
}

} // namespace

// -- projection ---------------------------------------------------------------

std::string run_history_projection::name() const {
  return run_history_name;
}

void run_history_projection::project(const event_view& e, std::vector<row>& out) const {
  using namespace event_types;
  const auto& r = e.rec();
  bool started = r.type == run_started;
  bool finished = r.type == run_finished;
  if (!started && !finished && r.type != run_dropped)
    return;
  const auto& data = e.data();
  if (!data.is_object())
    return;
  auto id = data.find("runId");
  if (id == data.end() || !id->is_string() || id->get_ref<const std::string&>().empty()
      || id->get_ref<const std::string&>().find('\0') != std::string::npos)
    return;
  auto run_id = id->get<std::string>();
  auto group = group_of(r, data);
  if (!started && !finished) {
    json marker{{"group", group}, {"retryCount", field(data, "retryCount")},
                {"at", format_time(r.at)}};
    out.emplace_back("d" + run_id, marker.dump());
    return;
  }
  auto start_ms = time_field(data, "startedAt", r.at);
  json part{{"runId", run_id},
            {"group", group},
            {"trigger", field(data, "trigger")},
            {"scheduleId", field(data, "scheduleId")},
            {"startedAt", format_time(start_ms)}};
  for (auto key : {"containerName", "image"})
    if (data.contains(key))
      part[key] = data[key];
  if (started) {
    part["status"] = "running";
  } else {
    auto end_ms = time_field(data, "finishedAt", r.at);
    part["finishedAt"] = format_time(end_ms);
    auto duration = field(data, "durationMs");
    part["durationMs"] = duration.is_number() ? duration : json(end_ms - start_ms);
    auto status = field(data, "status");
    part["status"] = status.is_string() ? status : json("error");
    part["exitCode"] = field(data, "exitCode");
    part["error"] = field(data, "error");
    auto outputs = field(data, "outputs");
    part["outputs"] = outputs.is_number() ? outputs : json(0);
  }
  auto key = run_key(start_ms, run_id) + (started ? started_part : finished_part);
  auto value = part.dump(-1, ' ', false, json::error_handler_t::replace);
  out.emplace_back("r" + key, value);
  out.emplace_back(group_prefix(group) + key, std::move(value));
}

// -- queries ------------------------------------------------------------------

result<run_history_query> parse_run_history_query(const query_params& q) {
  run_history_query out;
  auto limit = parse_limit(q);
  if (!limit)
    return limit.err();
  out.limit = *limit;
  auto one_of = [&](const char* key, std::initializer_list<const char*> allowed,
                    std::string& dst) -> std::optional<error> {
    auto i = q.find(key);
    if (i == q.end())
      return std::nullopt;
    std::string list;
    for (auto a : allowed) {
      if (i->second == a) {
        dst = i->second;
        return std::nullopt;
      }
      list += list.empty() ? a : std::string{", "} + a;
    }
    return invalid(key, std::string{key} + " must be one of " + list);
  };
  if (auto err = one_of("status", {"running", "success", "error", "timeout", "dropped"},
                        out.status))
    return *err;
  if (auto err = one_of("trigger", {"message", "schedule", "follow-up"}, out.trigger))
    return *err;
  if (auto g = q.find("group"); g != q.end()) {
    if (!valid_namespace_name(g->second))
      return invalid("group", "group must be a valid namespace name");
    out.group = g->second;
  }
  if (auto c = q.find("cursor"); c != q.end()) {
    auto key = from_hex(c->second);
    if (!key || key->size() < 10 || key->back() != '\0')
      return invalid("cursor", "cursor is not one this server gave out");
    out.before = std::move(*key);
  }
  return out;
}

result<json> query_run_history(const event_store& store, const run_history_query& q) {
  json items = json::array();
  json next = nullptr;
  std::string last;
  auto prefix = q.group.empty() ? std::string{"r"} : group_prefix(q.group);
  auto ok = scan_runs(store, prefix, q.before, [&](json item, const std::string& key) {
    if (!q.status.empty() && item["status"] != q.status)
      return true;
    if (!q.trigger.empty() && item["trigger"] != q.trigger)
      return true;
    if (items.size() == q.limit) {
      next = to_hex(last);
      return false;
    }
    items.push_back(std::move(item));
    last = key;
    return true;
  });
  if (!ok)
    return ok.err();
  return json{{"items", std::move(items)}, {"nextCursor", std::move(next)}};
}

result<json> recent_runs(const event_store& store, const std::string& group, size_t n) {
  json items = json::array();
  if (n == 0)
    return items;
  auto ok = scan_runs(store, group_prefix(group), {}, [&](json item, const std::string&) {
    items.push_back(std::move(item));
    return items.size() < n;
  });
  if (!ok)
    return ok.err();
  return items;
}

} // namespace pincer
