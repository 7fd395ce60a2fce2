#include "actors/schedule_state.hpp"

#include <algorithm>
#include <cctype>

#include "actors/cron.hpp"
#include "actors/runtime.hpp"
#include "events/catalog.hpp"
#include "events/schedule_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr size_t max_name_bytes = 200;
constexpr size_t max_prompt_bytes = 100 * 1024;
constexpr size_t max_jid_bytes = 256;
constexpr int64_t max_timeout_secs = 7 * 24 * 3600;
constexpr int64_t max_interval_ms = int64_t{10} * 366 * 24 * 3600 * 1000;

bool given(const json& body, const char* key) {
  return body.contains(key);
}

result<unit> ok() {
  return unit{};
}

/// The first `n` bytes of a text, not splitting a UTF-8 sequence.
std::string head(const std::string& text, size_t n) {
  if (text.size() <= n)
    return text;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    --n;
  return text.substr(0, n);
}

result<unit> check_string(const json& body, const char* key, size_t max, bool allow_empty,
                          const std::string& what) {
  auto& v = body[key];
  if (!v.is_string())
    return invalid(key, std::string{key} + " must be a string");
  auto n = v.get_ref<const std::string&>().size();
  if ((!allow_empty && n == 0) || n > max)
    return invalid(key, what);
  return ok();
}

result<unit> check_spec(const json& spec) {
  if (!spec.is_object())
    return invalid("schedule", "schedule must be an object with type and value");
  if (!spec.contains("type") || !spec["type"].is_string())
    return invalid("schedule.type", "schedule.type must be cron, interval or once");
  auto type = spec["type"].get<std::string>();
  if (type != "cron" && type != "interval" && type != "once")
    return invalid("schedule.type", "schedule.type must be cron, interval or once");
  if (!spec.contains("value"))
    return invalid("schedule.value", "schedule.value is required");
  auto& v = spec["value"];
  if (type == "interval") {
    if (!v.is_number() && !v.is_string())
      return invalid("schedule.value", "an interval is milliseconds as a number or decimal string");
  } else if (!v.is_string() || v.get_ref<const std::string&>().empty()
             || v.get_ref<const std::string&>().size() > 200) {
    return invalid("schedule.value", type == "cron" ? "a cron schedule needs a cron expression"
                                                    : "a once schedule needs an RFC 3339 time");
  }
  return ok();
}

/// Checks every field present in `body` and copies it, normalised, to `out`.
result<unit> check_fields(const json& body, json& out) {
  if (!body.is_object())
    return invalid("body", "the body must be a JSON object");
  auto fail = [](result<unit> r) { return !r; };
  if (given(body, "name")) {
    if (auto r = check_string(body, "name", max_name_bytes, false,
                              "name must be 1 to 200 bytes");
        fail(r))
      return r;
    out["name"] = body["name"];
  }
  if (given(body, "group")) {
    if (auto r = check_string(body, "group", 64, false, "group must be a namespace name"); fail(r))
      return r;
    out["group"] = body["group"];
  }
  if (given(body, "prompt")) {
    if (auto r = check_string(body, "prompt", max_prompt_bytes, false,
                              "prompt must be 1 byte to 100 KiB");
        fail(r))
      return r;
    out["prompt"] = body["prompt"];
  }
  if (given(body, "schedule")) {
    if (auto r = check_spec(body["schedule"]); fail(r))
      return r;
    out["schedule"] = json{{"type", body["schedule"]["type"]},
                           {"value", body["schedule"]["value"]}};
  }
  if (given(body, "timezone")) {
    if (!body["timezone"].is_string()
        || !find_time_zone(body["timezone"].get<std::string>()))
      return invalid("timezone", "timezone must be an IANA time zone such as Europe/Berlin");
    out["timezone"] = body["timezone"];
  }
  if (given(body, "chatJid")) {
    auto& jid = body["chatJid"];
    if (!jid.is_null()) {
      if (auto r = check_string(body, "chatJid", max_jid_bytes, false,
                                "chatJid must be a chat JID or null");
          fail(r))
        return r;
    }
    out["chatJid"] = jid;
  }
  if (given(body, "containerConfig")) {
    auto& cc = body["containerConfig"];
    if (!cc.is_object())
      return invalid("containerConfig", "containerConfig must be an object");
    json norm = json::object();
    if (cc.contains("timeoutSecs")) {
      auto& t = cc["timeoutSecs"];
      if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > max_timeout_secs)
        return invalid("containerConfig.timeoutSecs",
                       "timeoutSecs must be an integer from 0 (no limit) to 604800");
      norm["timeoutSecs"] = t;
    }
    if (cc.contains("image") && !cc["image"].is_null()) {
      if (!cc["image"].is_string())
        return invalid("containerConfig.image", "image must be an image reference");
      if (auto r = validate_image_tag(cc["image"].get<std::string>(), "containerConfig.image");
          !r)
        return r.err();
      norm["image"] = cc["image"];
    } else if (cc.contains("image")) {
      norm["image"] = nullptr;
    }
    out["containerConfig"] = norm;
  }
  if (given(body, "contextMode")) {
    auto& m = body["contextMode"];
    if (!m.is_string() || (m != "group" && m != "isolated"))
      return invalid("contextMode", "contextMode must be group or isolated");
    out["contextMode"] = m;
  }
  if (given(body, "enabled")) {
    if (!body["enabled"].is_boolean())
      return invalid("enabled", "enabled must be true or false");
    out["enabled"] = body["enabled"];
  }
  return ok();
}

const date::time_zone* zone_of(const json& object) {
  return find_time_zone(object.value("timezone", std::string{"UTC"}));
}

/// The first slot after `now` of an object's schedule, with its interval
/// anchored at `now`; for `once` the instant itself.
int64_t first_slot(const json& object, int64_t now, int64_t& anchor) {
  schedule_data d;
  d.type = object["schedule"]["type"].get<std::string>();
  d.value = object["schedule"]["value"];
  d.timezone = object.value("timezone", std::string{"UTC"});
  d.anchor = anchor = now;
  return next_slot(d, now);
}

json times(json data, int64_t next_run, int64_t anchor) {
  data["nextRun"] = next_run ? json(next_run) : json();
  data["anchor"] = anchor;
  return data;
}

void fill(schedule_data& d, const json& o) {
  d.name = o.value("name", d.name);
  d.group = o.value("group", d.group);
  d.prompt = o.value("prompt", d.prompt);
  if (o.contains("schedule")) {
    d.type = o["schedule"].value("type", d.type);
    d.value = o["schedule"].value("value", json());
  }
  d.timezone = o.value("timezone", d.timezone);
  if (o.contains("chatJid"))
    d.chat_jid = o["chatJid"].is_string() ? o["chatJid"].get<std::string>() : std::string{};
  if (o.contains("containerConfig")) {
    auto& cc = o["containerConfig"];
    d.timeout_secs = cc.value("timeoutSecs", int64_t{300});
    d.image = cc.contains("image") && cc["image"].is_string() ? cc["image"].get<std::string>()
                                                              : std::string{};
  }
  d.context_mode = o.value("contextMode", d.context_mode);
  d.enabled = o.value("enabled", d.enabled);
}

int64_t opt_ms(const json& data, const char* key) {
  return data.contains(key) && data[key].is_number() ? data[key].get<int64_t>() : 0;
}

json time_or_null(int64_t ms) {
  return ms ? json(format_time(ms)) : json();
}

} // namespace

// -- schedule_data ------------------------------------------------------------

const char* schedule_data::status() const {
  if (completed)
    return "completed";
  return enabled ? "active" : "paused";
}

json schedule_data::object() const {
  json cc{{"timeoutSecs", timeout_secs}};
  if (!image.empty())
    cc["image"] = image;
  return json{{"name", name},
              {"group", group},
              {"prompt", prompt},
              {"schedule", {{"type", type}, {"value", value}}},
              {"timezone", timezone},
              {"chatJid", chat_jid.empty() ? json() : json(chat_jid)},
              {"containerConfig", std::move(cc)},
              {"contextMode", context_mode},
              {"enabled", enabled}};
}

json schedule_data::view(json last_result) const {
  auto out = object();
  out["id"] = id;
  out["status"] = status();
  out["nextRun"] = time_or_null(next_run);
  out["lastRun"] = time_or_null(last_run);
  out["lastResult"] = std::move(last_result);
  out["createdAt"] = format_time(created_at);
  out["updatedAt"] = format_time(updated_at);
  return out;
}

// -- validation ---------------------------------------------------------------

result<json> validate_new_schedule(const json& body, const std::string& default_zone) {
  json out = json::object();
  if (auto r = check_fields(body, out); !r)
    return r.err();
  for (auto key : {"group", "prompt", "schedule"})
    if (!out.contains(key))
      return invalid(key, std::string{key} + " is required");
  if (!out.contains("name"))
    out["name"] = head(out["prompt"].get<std::string>(), 60);
  if (!out.contains("timezone"))
    out["timezone"] = default_zone;
  if (!out.contains("chatJid"))
    out["chatJid"] = nullptr;
  json cc{{"timeoutSecs", 300}};
  if (out.contains("containerConfig"))
    cc.update(out["containerConfig"]);
  if (cc.contains("image") && cc["image"].is_null())
    cc.erase("image");
  out["containerConfig"] = cc;
  if (!out.contains("contextMode"))
    out["contextMode"] = "isolated";
  if (!out.contains("enabled"))
    out["enabled"] = true;
  if (auto r = check_timing(out, 0); !r)
    return r.err();
  return out;
}

result<json> validate_schedule_changes(const json& body) {
  json out = json::object();
  if (auto r = check_fields(body, out); !r)
    return r.err();
  return out;
}

int64_t interval_ms(const json& v) {
  if (v.is_number_integer())
    return v.get<int64_t>();
  if (v.is_number_float()) {
    auto f = v.get<double>();
    return f == static_cast<double>(static_cast<int64_t>(f)) && f < 1e15 ? static_cast<int64_t>(f)
                                                                          : -1;
  }
  if (v.is_string()) {
    auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 15
        || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); }))
      return -1;
    return std::stoll(s);
  }
  return -1;
}

result<unit> check_timing(const json& object, int64_t now) {
  auto zone = zone_of(object);
  if (!zone)
    return invalid("timezone", "timezone must be an IANA time zone such as Europe/Berlin");
  auto type = object["schedule"]["type"].get<std::string>();
  auto& value = object["schedule"]["value"];
  if (type == "cron") {
    if (auto parsed = parse_cron(value.get<std::string>()); !parsed)
      return invalid("schedule.value", parsed.err().message);
  } else if (type == "interval") {
    auto ms = interval_ms(value);
    if (ms < min_interval_ms || ms > max_interval_ms)
      return invalid("schedule.value",
                     "an interval is a whole number of milliseconds, at least 1000");
  } else {
    auto t = parse_wall_time(value.get<std::string>(), zone);
    if (!t)
      return invalid("schedule.value",
                     "a once schedule needs an RFC 3339 time, e.g. 2026-03-15T10:00:00");
    if (now != 0 && *t <= now)
      return invalid("schedule.value", "the once time " + format_time(*t) + " is in the past");
  }
  return ok();
}

int64_t next_slot(const schedule_data& d, int64_t now) {
  auto zone = find_time_zone(d.timezone);
  if (!zone)
    return 0;
  if (d.type == "cron") {
    auto expr = parse_cron(d.value.is_string() ? d.value.get<std::string>() : std::string{});
    if (!expr)
      return 0;
    return next_cron_time(*expr, zone, now).value_or(0);
  }
  if (d.type == "interval") {
    auto every = interval_ms(d.value);
    if (every < min_interval_ms)
      return 0;
    if (now < d.anchor)
      return d.anchor + every;
    return d.anchor + ((now - d.anchor) / every + 1) * every;
  }
  auto t = parse_wall_time(d.value.is_string() ? d.value.get<std::string>() : std::string{},
                           zone);
  return t.value_or(0);
}

// -- schedule_state -----------------------------------------------------------

void schedule_state::apply(const envelope& e) {
  auto d = data ? std::make_shared<schedule_data>(*data) : std::make_shared<schedule_data>();
  apply_schedule_event(*d, e);
  data = std::move(d);
}

void apply_schedule_event(schedule_data& d, const envelope& e) {
  using namespace event_types;
  auto& x = e.data;
  if (e.type == schedule_created) {
    d.id = x.value("id", std::string{});
    fill(d, x);
    d.next_run = opt_ms(x, "nextRun");
    d.anchor = opt_ms(x, "anchor");
    d.created_at = d.updated_at = e.at;
  } else if (e.type == schedule_updated) {
    fill(d, x);
    d.next_run = opt_ms(x, "nextRun");
    d.anchor = opt_ms(x, "anchor");
    d.completed = x.value("completed", false);
    d.updated_at = e.at;
  } else if (e.type == schedule_paused) {
    d.enabled = false;
    d.next_run = 0;
    d.updated_at = e.at;
  } else if (e.type == schedule_resumed) {
    d.enabled = true;
    d.next_run = opt_ms(x, "nextRun");
    d.anchor = opt_ms(x, "anchor");
    d.updated_at = e.at;
  } else if (e.type == schedule_fired) {
    d.last_run = opt_ms(x, "firedAt");
    d.next_run = opt_ms(x, "nextRun");
  } else if (e.type == schedule_completed) {
    d.completed = true;
    d.next_run = 0;
  } else if (e.type == schedule_deleted) {
    d.deleted = true;
    d.next_run = 0;
  }
  d.version = e.stream_version;
}

result<std::vector<draft>> schedule_state::decide_create(const std::string& id,
                                                         const json& object,
                                                         int64_t now) const {
  if (data)
    return error{ec::conflict, "schedule " + id + " exists"};
  if (auto r = check_timing(object, now); !r)
    return r.err();
  int64_t anchor = 0;
  auto next = first_slot(object, now, anchor);
  auto d = object;
  d["id"] = id;
  return std::vector<draft>{event_catalog().make(
    event_types::schedule_created,
    times(std::move(d), object.value("enabled", true) ? next : 0, anchor))};
}

result<std::vector<draft>> schedule_state::decide_update(const json& changes,
                                                         int64_t now) const {
  if (!data || data->deleted)
    return error{ec::not_found, "schedule not found"};
  auto current = data->object();
  auto merged = current;
  for (auto& [key, v] : changes.items()) {
    if (key == "containerConfig") {
      for (auto& [k, x] : v.items()) {
        if (x.is_null())
          merged[key].erase(k);
        else
          merged[key][k] = x;
      }
    } else {
      merged[key] = v;
    }
  }
  if (merged == current)
    return std::vector<draft>{};
  bool timing = merged["schedule"] != current["schedule"]
                || merged["timezone"] != current["timezone"];
  bool enabled = merged["enabled"].get<bool>();
  bool toggled = enabled != data->enabled;
  if (timing)
    if (auto r = check_timing(merged, now); !r)
      return r.err();
  int64_t next = data->next_run;
  int64_t anchor = data->anchor;
  bool completed = timing ? false : data->completed;
  if (!enabled || completed)
    next = 0;
  else if (timing || toggled)
    next = first_slot(merged, now, anchor);
  auto id = data->id;
  auto without_enabled = [](json o) {
    o.erase("enabled");
    return o;
  };
  if (toggled && without_enabled(merged) == without_enabled(current)) {
    if (!enabled)
      return std::vector<draft>{
        event_catalog().make(event_types::schedule_paused, json{{"id", id}})};
    return std::vector<draft>{event_catalog().make(
      event_types::schedule_resumed, times(json{{"id", id}}, next, anchor))};
  }
  merged["id"] = id;
  merged["completed"] = completed;
  return std::vector<draft>{
    event_catalog().make(event_types::schedule_updated, times(std::move(merged), next, anchor))};
}

bool schedule_state::due(int64_t now) const {
  return data && !data->deleted && data->enabled && !data->completed && data->next_run != 0
         && data->next_run <= now;
}

std::vector<draft> schedule_state::decide_fire(int64_t now) const {
  if (!due(now))
    return {};
  auto& d = *data;
  bool once = d.type == "once";
  auto next = once ? 0 : next_slot(d, now);
  json fired{{"id", d.id}, {"slot", d.next_run}, {"firedAt", now}, {"taskId", d.id}};
  fired["nextRun"] = next ? json(next) : json();
  std::vector<draft> out{event_catalog().make(event_types::schedule_fired, std::move(fired))};
  if (once || next == 0)
    out.push_back(event_catalog().make(event_types::schedule_completed, json{{"id", d.id}}));
  return out;
}

result<std::vector<draft>> schedule_state::decide_delete(const std::string& reason) const {
  if (!data || data->deleted)
    return error{ec::not_found, "schedule not found"};
  return std::vector<draft>{event_catalog().make(event_types::schedule_deleted,
                                                 json{{"id", data->id}, {"reason", reason}})};
}

bool schedule_state::skip_missed(int64_t now) {
  if (!due(now) || data->type != "interval")
    return false;
  auto d = std::make_shared<schedule_data>(*data);
  d->next_run = next_slot(*d, now);
  data = std::move(d);
  return true;
}

} // namespace pincer
