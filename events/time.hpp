#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pincer {

/// Milliseconds since the Unix epoch, from the system clock.
int64_t now_ms();

/// RFC 3339 UTC with milliseconds: `2026-03-15T10:00:00.000Z`.
std::string format_time(int64_t ms);

/// Parses RFC 3339 (`Z` or `+hh:mm` offset, optional fraction) into epoch ms.
std::optional<int64_t> parse_time(std::string_view text);

/// A random UUID v4 string.
std::string make_uuid();

} // namespace pincer
