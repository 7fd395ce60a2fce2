#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pincer {

/// Appends `s` as a quoted JSON string (fast path for hand-built JSON).
void append_json_string(std::string& out, std::string_view s);

/// `s` without leading and trailing white space.
std::string_view trim(std::string_view s);

/// Big-endian 8-byte encoding, so byte order is numeric order.
std::string be64(uint64_t x);

/// Reads a big-endian 8-byte number (`s` must hold at least 8 bytes).
uint64_t read_be64(std::string_view s);

} // namespace pincer
