#include "events/json_text.hpp"

#include <cstdint>
#include <cstring>

namespace pincer {

namespace {

constexpr uint64_t ones = 0x0101010101010101ull;
constexpr uint64_t highs = 0x8080808080808080ull;

/// Whether any byte of `v` is zero.
constexpr uint64_t has_zero_byte(uint64_t v) {
  return (v - ones) & ~v & highs;
}

/// Whether any of the 8 bytes in `x` needs an escape: below 0x20, '"', '\\'
/// or DEL. Bytes from 0x80 up (UTF-8) pass as they are.
constexpr bool needs_escape(uint64_t x) {
  return (((x - ones * 0x20) & ~x & highs) | has_zero_byte(x ^ (ones * '"'))
          | has_zero_byte(x ^ (ones * '\\')) | has_zero_byte(x ^ (ones * 0x7f)))
         != 0;
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0; // start of the pending run of characters that need no escape
  size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) { // eight plain bytes at once, the common case
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (!needs_escape(word)) {
        i += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(s[i++]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
      continue;
    out.append(s.data() + run, i - 1 - run);
    run = i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string be64(uint64_t x) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, x >>= 8)
    out[i] = static_cast<char>(x & 0xFF);
  return out;
}

uint64_t read_be64(std::string_view s) {
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i)
    x = (x << 8) | static_cast<unsigned char>(s[i]);
  return x;
}

} // namespace pincer
