#include "tools/inspect.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <filesystem>
#include <map>

#include "events/catalog.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

/// Data keys whose values are secrets, lower-cased.
constexpr std::array<std::string_view, 10> secret_keys = {
  "credential", "bottoken",      "apptoken",    "accesstoken", "appsecret",
  "signingsecret", "verifytoken", "token",       "secret",      "password",
};

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void redact_in_place(json& j) {
  if (j.is_object()) {
    for (auto& [key, value] : j.items()) {
      if (is_secret_key(key))
        value = redacted_text;
      else
        redact_in_place(value);
    }
  } else if (j.is_array()) {
    for (auto& value : j)
      redact_in_place(value);
  }
}

/// Whether raw (unparsed) data text mentions any secret key.
bool mentions_secret(std::string_view text) {
  auto l = lower(text);
  return std::any_of(secret_keys.begin(), secret_keys.end(),
                     [&](std::string_view k) { return l.find(k) != std::string::npos; });
}

} // namespace

// -- opening ------------------------------------------------------------------

result<std::unique_ptr<event_store>> open_event_log(const std::string& data_dir) {
  auto path = std::filesystem::path{data_dir} / "events";
  std::error_code err;
  if (!std::filesystem::is_directory(path, err))
    return error{ec::not_found, "no event store at " + path.string()
                                  + " (is --data-dir the server's data folder?)"};
  rocksdb_options opts;
  opts.sync = false;
  opts.read_only = true;
  return open_rocksdb_store(path.string(), opts);
}

// -- formatting ---------------------------------------------------------------

bool is_secret_key(std::string_view key) {
  auto l = lower(key);
  return std::find(secret_keys.begin(), secret_keys.end(), l) != secret_keys.end();
}

json redact(json data) {
  if (data.is_string() && mentions_secret(data.get_ref<const std::string&>()))
    return redacted_text;
  redact_in_place(data);
  return data;
}

json format_event(const record& r) {
  auto decoded = event_catalog().decode(r);
  json j;
  if (decoded) {
    j = to_json(*decoded);
  } else {
    j = to_json(r);
    j["undecodable"] = true;
    j["reason"] = decoded.err().message;
  }
  j["data"] = redact(std::move(j["data"]));
  return j;
}

void write_line(std::ostream& out, const json& j) {
  out << j.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

// -- filters ------------------------------------------------------------------

bool event_filter::matches(const record& r) const {
  if (!type.empty() && r.type != type)
    return false;
  return stream_prefix.empty() || r.stream.compare(0, stream_prefix.size(), stream_prefix) == 0;
}

// -- commands -----------------------------------------------------------------

size_t list_streams(const event_store& store, const std::string& prefix, std::ostream& out) {
  auto all = store.streams(prefix);
  for (auto& [stream, version] : all)
    write_line(out, json{{"stream", stream}, {"version", version}});
  return all.size();
}

result<uint64_t> tail_events(const event_store& store, const tail_options& opts,
                             std::ostream& out) {
  if (opts.count == 0)
    return store.last_seq();
  std::deque<record> last;
  uint64_t position = 0;
  auto collect_from = [&](uint64_t after) {
    last.clear();
    position = after;
    return store.read_all(after, [&](const record& r) {
      position = r.seq;
      if (!opts.filter.matches(r))
        return true;
      if (last.size() == opts.count)
        last.pop_front();
      last.push_back(r);
      return true;
    });
  };
  // Without a filter the last `count` sequence numbers hold the answer unless
  // the log has gaps; then, and with a filter, scan the whole log.
  auto end = store.last_seq();
  bool unfiltered = opts.filter.stream_prefix.empty() && opts.filter.type.empty();
  uint64_t start = unfiltered && end > opts.count ? end - opts.count : 0;
  auto read = collect_from(start);
  if (read && start > 0 && last.size() < opts.count)
    read = collect_from(0);
  if (!read)
    return read.err();
  for (auto& r : last)
    write_line(out, format_event(r));
  return position;
}

result<uint64_t> dump_events(const event_store& store, const dump_options& opts,
                             std::ostream& out) {
  uint64_t position = opts.after;
  size_t printed = 0;
  if (opts.limit && *opts.limit == 0)
    return position;
  auto read = store.read_all(opts.after, [&](const record& r) {
    position = r.seq;
    if (!opts.filter.matches(r))
      return true;
    write_line(out, format_event(r));
    return !opts.limit || ++printed < *opts.limit;
  });
  if (!read)
    return read.err();
  return position;
}

result<unit> show_event(const event_store& store, uint64_t seq, std::ostream& out) {
  std::optional<record> found;
  if (seq > 0) {
    auto read = store.read_all(seq - 1, [&](const record& r) {
      if (r.seq == seq)
        found = r;
      return false;
    });
    if (!read)
      return read.err();
  }
  if (!found)
    return error{ec::not_found, "no event with sequence number " + std::to_string(seq)};
  out << format_event(*found).dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  return unit{};
}

result<json> event_stats(const event_store& store) {
  uint64_t events = 0;
  std::map<std::string, uint64_t> by_type;
  std::map<std::string, uint64_t> by_prefix;
  std::optional<int64_t> first_at;
  int64_t last_at = 0;
  auto read = store.read_all(0, [&](const record& r) {
    ++events;
    ++by_type[r.type];
    ++by_prefix[r.stream.substr(0, r.stream.find('/'))];
    if (!first_at)
      first_at = r.at;
    last_at = r.at;
    return true;
  });
  if (!read)
    return read.err();
  json j{{"events", events},
         {"lastSeq", store.last_seq()},
         {"byType", by_type},
         {"byStreamPrefix", by_prefix},
         {"firstAt", nullptr},
         {"lastAt", nullptr}};
  if (first_at) {
    j["firstAt"] = format_time(*first_at);
    j["lastAt"] = format_time(last_at);
  }
  json projections = json::object();
  for (auto name : {"audit", "run-history", "analytics", "chats"}) {
    auto at = store.checkpoint(name);
    auto last = store.last_seq();
    projections[name] = json{{"checkpoint", at}, {"behind", last - std::min(at, last)}};
  }
  j["projections"] = std::move(projections);
  return j;
}

} // namespace pincer
