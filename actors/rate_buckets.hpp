#pragma once

// Provider rate limits learnt from responses (Discord's `X-RateLimit-*`
// headers and 429 bodies, including the global limit), so that no request
// goes out before its bucket resets. Pure state, tested without I/O.

#include <cstdint>
#include <map>
#include <string>

#include "actors/channel_types.hpp"

namespace pincer {

/// Rate-limit buckets per route plus a global block.
class rate_buckets {
public:
  /// Milliseconds to wait before a request on `route` may go out (0: now).
  int64_t wait_ms(const std::string& route, int64_t now_ms) const;

  /// Learns from the answer to a request on `route`.
  void update(const std::string& route, const http_result& r, int64_t now_ms);

private:
  std::map<std::string, std::string> bucket_of_; ///< Route -> `X-RateLimit-Bucket`.
  std::map<std::string, int64_t> until_;         ///< Bucket (or route) -> blocked until.
  int64_t global_until_ = 0;
};

} // namespace pincer
