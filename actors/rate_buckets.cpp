#include "actors/rate_buckets.hpp"

#include <algorithm>
#include <optional>

namespace pincer {

namespace {

std::optional<double> number_header(const http_result& r, const char* name) {
  auto i = r.headers.find(name);
  if (i == r.headers.end() || i->second.empty()
      || i->second.find_first_not_of("0123456789.") != std::string::npos)
    return std::nullopt;
  try {
    return std::stod(i->second);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int64_t to_ms(double secs) {
  return static_cast<int64_t>(std::clamp(secs, 0.0, 3600.0) * 1000.0 + 0.5);
}

} // namespace

int64_t rate_buckets::wait_ms(const std::string& route, int64_t now_ms) const {
  int64_t until = global_until_;
  auto b = bucket_of_.find(route);
  auto key = b == bucket_of_.end() ? route : b->second;
  if (auto i = until_.find(key); i != until_.end())
    until = std::max(until, i->second);
  return std::max<int64_t>(until - now_ms, 0);
}

void rate_buckets::update(const std::string& route, const http_result& r, int64_t now_ms) {
  auto b = r.headers.find("x-ratelimit-bucket");
  if (b != r.headers.end() && !b->second.empty())
    bucket_of_[route] = b->second;
  auto known = bucket_of_.find(route);
  auto key = known == bucket_of_.end() ? route : known->second;
  auto remaining = number_header(r, "x-ratelimit-remaining");
  auto reset_after = number_header(r, "x-ratelimit-reset-after");
  if (remaining && *remaining < 1 && reset_after)
    until_[key] = now_ms + to_ms(*reset_after);
  else if (remaining && *remaining >= 1)
    until_.erase(key);
  if (r.status != 429)
    return;
  auto body = json::parse(r.body, nullptr, false);
  std::optional<double> retry;
  bool global = false;
  if (body.is_object()) {
    if (body.value("retry_after", json{}).is_number())
      retry = body["retry_after"].get<double>();
    global = body.value("global", json{}).is_boolean() && body["global"].get<bool>();
  }
  if (!retry)
    retry = number_header(r, "retry-after");
  auto g = r.headers.find("x-ratelimit-global");
  if (g != r.headers.end() && g->second == "true")
    global = true;
  auto until = now_ms + to_ms(retry.value_or(1.0));
  if (global)
    global_until_ = std::max(global_until_, until);
  else
    until_[key] = std::max(until_.count(key) ? until_[key] : 0, until);
}

} // namespace pincer
