#include "actors/schedule_runs.hpp"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "actors/audit_log.hpp"
#include "events/schedule_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr size_t max_result_chars = 2000;
constexpr size_t last_result_chars = 200;

std::string hex_seq(uint64_t seq) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(seq));
  return buf;
}

/// A time field as RFC 3339: epoch ms numbers are formatted, strings kept.
json time_field(const json& v) {
  if (v.is_number())
    return format_time(v.get<int64_t>());
  if (v.is_string())
    return v;
  return nullptr;
}

json string_or_null(const json& data, const char* key) {
  if (data.contains(key) && data[key].is_string())
    return data[key];
  return nullptr;
}

std::string cut(const std::string& text, size_t n) {
  if (text.size() <= n)
    return text;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    --n;
  return text.substr(0, n);
}

} // namespace

std::string schedule_runs_projection::name() const {
  return "schedule-runs";
}

json schedule_run_entry(const event_view& e) {
  const auto& r = e.rec();
  bool finished = r.type == "run.finished";
  bool skipped = r.type == event_types::schedule_skipped;
  bool failed = r.type == event_types::schedule_dispatch_failed;
  if (!finished && !skipped && !failed)
    return nullptr;
  const auto& data = e.data();
  if (!data.is_object())
    return nullptr;
  if (finished) {
    auto id = string_or_null(data, "scheduleId");
    if (!id.is_string() || id.get_ref<const std::string&>().empty())
      return nullptr;
    auto result = string_or_null(data, "result");
    if (result.is_string())
      result = cut(result.get<std::string>(), max_result_chars);
    return json{{"id", string_or_null(data, "runId")},
                {"scheduleId", id},
                {"runAt", time_field(data.value("startedAt", json()))},
                {"finishedAt", time_field(data.value("finishedAt", json()))},
                {"durationMs", data.value("durationMs", json())},
                {"status", data.value("status", json("error"))},
                {"result", result},
                {"error", string_or_null(data, "error")}};
  }
  auto slot = data.value("slot", int64_t{0});
  return json{{"id", data.value("logId", json())},
              {"scheduleId", data.value("id", json())},
              {"runAt", format_time(slot ? slot : r.at)},
              {"finishedAt", format_time(r.at)},
              {"durationMs", 0},
              {"status", skipped ? "skipped" : "error"},
              {"result", nullptr},
              {"error", skipped ? json("the schedule's task was already running or queued")
                                : data.value("error", json("the run could not be queued"))}};
}

void schedule_runs_projection::project(const event_view& e, std::vector<row>& out) const {
  auto entry = schedule_run_entry(e);
  if (entry.is_null())
    return;
  out.emplace_back(entry["scheduleId"].get<std::string>() + "/" + hex_seq(e.rec().seq),
                   entry.dump());
}

result<json> query_schedule_runs(const event_store& store, const std::string& id,
                                 const query_params& q) {
  auto limit = parse_limit(q);
  if (!limit)
    return limit.err();
  std::string start = id + "/ffffffffffffffff";
  if (auto c = q.find("cursor"); c != q.end()) {
    auto& text = c->second;
    if (text.size() != 16 || text.find_first_not_of("0123456789abcdef") != std::string::npos
        || text == "0000000000000000")
      return invalid("cursor", "cursor must come from nextCursor of an earlier page");
    start = id + "/" + hex_seq(std::stoull(text, nullptr, 16) - 1);
  }
  auto prefix = id + "/";
  json items = json::array();
  json next = nullptr;
  std::string last_key;
  auto read = store.scan_projection(
    "schedule-runs", start, true, [&](const std::string& key, const std::string& value) {
      if (key.compare(0, prefix.size(), prefix) != 0)
        return false;
      if (items.size() == *limit) {
        next = last_key;
        return false;
      }
      items.push_back(json::parse(value, nullptr, false));
      last_key = key.substr(prefix.size());
      return true;
    });
  if (!read)
    return read.err();
  return json{{"items", std::move(items)}, {"nextCursor", std::move(next)}};
}

json last_schedule_run(const event_store& store, const std::string& id) {
  auto prefix = id + "/";
  json out = nullptr;
  store.scan_projection("schedule-runs", id + "/ffffffffffffffff", true,
                        [&](const std::string& key, const std::string& value) {
                          if (key.compare(0, prefix.size(), prefix) == 0)
                            out = json::parse(value, nullptr, false);
                          return false;
                        });
  return out;
}

std::unordered_map<std::string, json> last_schedule_runs(const event_store& store) {
  std::unordered_map<std::string, std::string> raw;
  store.scan_projection("schedule-runs", "", false,
                        [&](const std::string& key, const std::string& value) {
                          raw[key.substr(0, key.rfind('/'))] = value;
                          return true;
                        });
  std::unordered_map<std::string, json> out;
  out.reserve(raw.size());
  for (auto& [id, value] : raw)
    out.emplace(id, json::parse(value, nullptr, false));
  return out;
}

json last_result_text(const json& entry) {
  if (!entry.is_object())
    return nullptr;
  auto status = entry.value("status", std::string{});
  auto error = entry.contains("error") && entry["error"].is_string()
                 ? entry["error"].get<std::string>()
                 : std::string{};
  if (status == "skipped")
    return "Skipped: " + error;
  if (status != "success")
    return "Error: " + (error.empty() ? status : error);
  if (entry.contains("result") && entry["result"].is_string()
      && !entry["result"].get_ref<const std::string&>().empty())
    return cut(entry["result"].get<std::string>(), last_result_chars);
  return "Completed";
}

result<uint64_t> schedule_runs_state::catch_up() {
  auto done = pincer::catch_up(*store, projection);
  if (done)
    position = *done;
  return done;
}

audit_actor::behavior_type schedule_runs(audit_actor::stateful_pointer<schedule_runs_state> self,
                                         std::shared_ptr<event_store> store) {
  self->state.store = std::move(store);
  if (auto ok = self->state.catch_up(); !ok)
    spdlog::error("schedule logs: {}", ok.err().message);
  return {
    [self](notify_atom, uint64_t last_seq) {
      if (last_seq <= self->state.position)
        return;
      if (auto ok = self->state.catch_up(); !ok)
        spdlog::error("schedule logs: {}", ok.err().message);
    },
    [self](query_atom, query_params& params) -> caf::result<reply> {
      if (auto ok = self->state.catch_up(); !ok)
        return to_caf(ok.err());
      auto page = query_schedule_runs(*self->state.store, params["scheduleId"], params);
      if (!page)
        return to_caf(page.err());
      return reply{200, std::move(*page)};
    },
  };
}

} // namespace pincer
