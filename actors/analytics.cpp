#include "actors/analytics.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "actors/json_fields.hpp"
#include "actors/namespace_state.hpp"
#include "events/channel_events.hpp"
#include "events/json_text.hpp"
#include "events/queue_events.hpp"
#include "events/schedule_events.hpp"

namespace pincer {

namespace {

constexpr int64_t hour_ms = 3600 * 1000;

/// The part of a stream name after its first `/`.
std::string_view stream_id(std::string_view stream) {
  auto slash = stream.find('/');
  return slash == std::string_view::npos ? stream : stream.substr(slash + 1);
}

int64_t hour_of(int64_t at) {
  return at >= 0 ? at / hour_ms : (at - hour_ms + 1) / hour_ms;
}

/// Starts a fact: `{"k":"<kind>","at":<ms>`.
std::string fact(const char* kind, int64_t at) {
  std::string v;
  v.reserve(96);
  v += "{\"k\":\"";
  v += kind;
  v += "\",\"at\":";
  v += std::to_string(at);
  return v;
}

void add_field(std::string& v, const char* key, std::string_view text) {
  v += ",\"";
  v += key;
  v += "\":";
  append_json_string(v, text);
}

} // namespace

// -- projection ---------------------------------------------------------------

std::string analytics_projection::name() const {
  return analytics_name;
}

void analytics_projection::project(const event_view& e, std::vector<row>& out) const {
  namespace t = event_types;
  const auto& r = e.rec();
  const auto& type = r.type;
  bool counted = type == t::run_finished || type == t::run_dropped
                 || type == t::channel_message_received || type == t::channel_message_part_sent
                 || type == t::schedule_created || type == t::schedule_updated
                 || type == t::schedule_fired;
  if (!counted)
    return;
  const auto& data = e.data();
  if (!data.is_object())
    return;
  std::string v;
  if (type == t::run_finished || type == t::run_dropped) {
    auto group = text_of(data, "group");
    if (group.empty())
      group = std::string{stream_id(r.stream)};
    v = fact(type == t::run_finished ? "run" : "drop", r.at);
    add_field(v, "group", group);
    if (type == t::run_finished) {
      add_field(v, "status", text_of(data, "status"));
      auto d = data.find("durationMs");
      v += ",\"durationMs\":";
      v += std::to_string(d != data.end() && d->is_number() ? d->get<int64_t>() : 0);
    }
  } else if (type == t::channel_message_received || type == t::channel_message_part_sent) {
    auto part = data.find("part");
    if (type == t::channel_message_part_sent && part != data.end() && part->is_number()
        && part->get<int64_t>() != 0)
      return;
    v = fact(type == t::channel_message_received ? "in" : "out", r.at);
    add_field(v, "channel", stream_id(r.stream));
  } else if (type == t::schedule_fired) {
    auto id = text_of(data, "id");
    v = fact("fire", r.at);
    add_field(v, "id", id.empty() ? std::string{stream_id(r.stream)} : id);
  } else {
    auto group = text_of(data, "group");
    if (group.empty())
      return;
    auto id = text_of(data, "id");
    v = fact("sched", r.at);
    add_field(v, "id", id.empty() ? std::string{stream_id(r.stream)} : id);
    add_field(v, "group", group);
  }
  v += '}';
  out.emplace_back(be64(r.seq), std::move(v));
}

// -- model --------------------------------------------------------------------

run_counts& analytics_model::group_at(int64_t at, const std::string& group) {
  return hours_[hour_of(at)].groups[group];
}

void analytics_model::fold(const std::string& value) {
  auto f = json::parse(value, nullptr, false);
  if (!f.is_object())
    return;
  ++facts_;
  auto kind = text_of(f, "k");
  auto at = f.value("at", int64_t{0});
  if (kind == "run") {
    auto status = text_of(f, "status");
    auto& g = group_at(at, text_of(f, "group"));
    for (auto* c : {&g, &all_runs_}) {
      ++c->runs;
      if (status == "success")
        ++c->success;
      else if (status == "timeout")
        ++c->timeout;
      else
        ++c->error;
    }
    g.durations.push_back(f.value("durationMs", int64_t{0}));
  } else if (kind == "drop") {
    ++group_at(at, text_of(f, "group")).dropped;
    ++all_runs_.dropped;
  } else if (kind == "in" || kind == "out") {
    auto channel = text_of(f, "channel");
    auto& h = hours_[hour_of(at)].channels[channel];
    auto& all = all_channels_[channel];
    ++(kind == "in" ? h.in : h.out);
    ++(kind == "in" ? all.in : all.out);
  } else if (kind == "sched") {
    schedule_groups_[text_of(f, "id")] = text_of(f, "group");
  } else if (kind == "fire") {
    auto i = schedule_groups_.find(text_of(f, "id"));
    ++group_at(at, i == schedule_groups_.end() ? std::string{} : i->second).fired;
    ++all_runs_.fired;
  }
}

void analytics_model::clear() {
  *this = analytics_model{};
}

json analytics_model::totals() const {
  json channels = json::object();
  for (auto& [name, c] : all_channels_)
    channels[name] = json{{"messagesIn", c.in}, {"messagesOut", c.out}};
  return json{{"runs",
               {{"total", all_runs_.runs},
                {"success", all_runs_.success},
                {"error", all_runs_.error},
                {"timeout", all_runs_.timeout},
                {"dropped", all_runs_.dropped}}},
              {"schedulesFired", all_runs_.fired},
              {"channels", std::move(channels)}};
}

std::optional<int64_t> percentile(std::vector<int64_t>& values, double p) {
  if (values.empty())
    return std::nullopt;
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  auto index = std::min(values.size() - 1, rank == 0 ? size_t{0} : rank - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return values[index];
}

result<unit> load_analytics(const event_store& store, uint64_t after, analytics_model& model) {
  auto start = after == 0 ? std::string{} : be64(after + 1);
  return store.scan_projection(analytics_name, start, false,
                               [&](const std::string&, const std::string& value) {
                                 model.fold(value);
                                 return true;
                               });
}

} // namespace pincer
