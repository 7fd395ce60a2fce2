#include "tools/inspect_replay.hpp"

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "actors/analytics.hpp"
#include "actors/audit_log.hpp"
#include "actors/chat_log.hpp"
#include "actors/run_history.hpp"

namespace pincer {

namespace {

using clock_type = std::chrono::steady_clock;

/// Erases what is left of a longer, earlier progress line (progress is only
/// written to a terminal).
constexpr const char* clear_to_end = "\x1b[K";

/// Wraps a projection: counts events and the rows they produce per event
/// type, and calls `tick(seq, events)` every 4096 events.
class counting_projection : public projection {
public:
  counting_projection(const projection& inner, std::function<void(uint64_t, uint64_t)> tick)
    : inner_(inner), tick_(std::move(tick)) {
  }

  std::string name() const override {
    return inner_.name();
  }

  void project(const event_view& e, std::vector<row>& out) const override {
    auto before = out.size();
    inner_.project(e, out);
    if (auto n = out.size() - before; n > 0)
      counts_[e.rec().type] += n;
    if (++events_ % 4096 == 0 && tick_)
      tick_(e.rec().seq, events_);
  }

  /// Rows per event type.
  std::map<std::string, uint64_t> counts() const {
    return {counts_.begin(), counts_.end()};
  }

private:
  const projection& inner_;
  std::function<void(uint64_t, uint64_t)> tick_;
  mutable std::unordered_map<std::string, uint64_t> counts_;
  mutable uint64_t events_ = 0;
};

double rate(uint64_t events, clock_type::time_point start) {
  std::chrono::duration<double> elapsed = clock_type::now() - start;
  return elapsed.count() > 0 ? static_cast<double>(events) / elapsed.count() : 0.0;
}

std::unique_ptr<projection> make_projection(const std::string& name) {
  if (name == "audit")
    return std::make_unique<audit_projection>();
  if (name == "runs")
    return std::make_unique<run_history_projection>();
  if (name == "analytics")
    return std::make_unique<analytics_projection>();
  if (name == "chats")
    return std::make_unique<chat_projection>();
  return nullptr;
}

/// Hands every item of the rebuilt run history, newest first, to `emit`.
result<unit> run_items(const std::vector<row>& rows, const std::function<void(json)>& emit) {
  auto scratch = make_memory_store();
  if (auto ok = scratch->commit_projection(run_history_name, 1, rows); !ok)
    return ok.err();
  query_params params{{"limit", "1000"}};
  for (;;) {
    auto q = parse_run_history_query(params);
    if (!q)
      return q.err();
    auto page = query_run_history(*scratch, *q);
    if (!page)
      return page.err();
    for (auto& item : (*page)["items"])
      emit(std::move(item));
    auto& next = (*page)["nextCursor"];
    if (next.is_null())
      return unit{};
    params["cursor"] = next.get<std::string>();
  }
}

std::string csv_field(const json& v) {
  std::string text = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
  if (text.find_first_of(",\"\r\n") == std::string::npos)
    return text;
  std::string out = "\"";
  for (char c : text)
    out += c == '"' ? std::string{"\"\""} : std::string(1, c);
  return out + '"';
}

} // namespace

const std::vector<std::string>& replay_names() {
  static const std::vector<std::string> names{"audit", "runs", "analytics", "chats"};
  return names;
}

void csv_writer::write(const json& item) {
  if (columns_.empty()) {
    for (auto& [key, value] : item.items())
      columns_.push_back(key);
    for (size_t i = 0; i < columns_.size(); ++i)
      out_ << (i ? "," : "") << csv_field(columns_[i]);
    out_ << '\n';
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    auto f = item.find(columns_[i]);
    out_ << (i ? "," : "") << (f == item.end() ? std::string{} : csv_field(*f));
  }
  out_ << '\n';
}

std::string progress_line(uint64_t seq, uint64_t last_seq, double events_per_sec) {
  auto line = "replaying: " + std::to_string(seq) + " / " + std::to_string(last_seq)
              + " events (" + std::to_string(static_cast<uint64_t>(std::llround(events_per_sec)))
              + " events/s";
  if (events_per_sec > 0 && last_seq > seq)
    line += ", ETA "
            + std::to_string(static_cast<uint64_t>(
              std::ceil(static_cast<double>(last_seq - seq) / events_per_sec)))
            + " s";
  return line + ")";
}

result<json> replay_projection(const event_store& store, const std::string& name,
                               const replay_options& opts) {
  auto view = make_projection(name);
  if (!view)
    return error{ec::not_found, "no projection named " + name};
  auto last_seq = store.last_seq();
  auto start = clock_type::now();
  auto last_shown = start;
  std::function<void(uint64_t, uint64_t)> tick;
  if (opts.progress_out)
    tick = [&](uint64_t seq, uint64_t events) {
      auto now = clock_type::now();
      if (now - last_shown < std::chrono::milliseconds{100})
        return;
      last_shown = now;
      *opts.progress_out << '\r' << progress_line(seq, last_seq, rate(events, start))
                         << clear_to_end << std::flush;
    };
  counting_projection counting{*view, std::move(tick)};
  std::unique_ptr<csv_writer> csv;
  if (opts.rows_out && opts.format == "csv")
    csv = std::make_unique<csv_writer>(*opts.rows_out);
  uint64_t rows = 0, items = 0;
  auto emit = [&](const json& item) {
    ++items;
    if (csv)
      csv->write(item);
    else if (opts.rows_out)
      *opts.rows_out << item.dump() << '\n';
  };
  std::vector<row> kept; // run-history parts, merged after the replay
  auto sink = [&](const row& x) {
    ++rows;
    if (name == "runs") {
      kept.push_back(x);
      return;
    }
    if (!opts.rows_out)
      return;
    if (!csv && name == "audit") { // already the item's JSON text
      *opts.rows_out << x.second << '\n';
      return;
    }
    auto item = json::parse(x.second, nullptr, false);
    if (item.is_object())
      emit(item);
  };
  auto events = replay(store, counting, sink);
  if (!events)
    return events.err();
  if (name == "runs")
    if (auto ok = run_items(kept, emit); !ok)
      return ok.err();
  if (name != "runs")
    items = rows;
  auto per_sec = rate(*events, start);
  if (opts.progress_out)
    *opts.progress_out << '\r' << progress_line(last_seq, last_seq, per_sec) << clear_to_end
                       << '\n'
                       << std::flush;
  if (opts.rows_out)
    opts.rows_out->flush();
  return json{{"projection", name},
              {"events", *events},
              {"rows", rows},
              {"items", items},
              {"byAction", counting.counts()},
              {"eventsPerSec", std::round(per_sec * 10) / 10}};
}

result<json> replay_audit(const event_store& store, const replay_options& opts) {
  return replay_projection(store, "audit", opts);
}

} // namespace pincer
