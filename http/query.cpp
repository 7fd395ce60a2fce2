#include "http/query.hpp"

#include <cctype>
#include <limits>

namespace pincer::http {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

} // namespace

std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size())
        return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      if (c == '\0')
        return std::nullopt;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    out.push_back(c);
  }
  return out;
}

result<query_params> parse_query_string(std::string_view text) {
  query_params out;
  while (!text.empty()) {
    auto amp = text.find('&');
    auto pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{}
                                         : text.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(
      eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
      true);
    if (!key || !value || key->empty())
      return invalid("query", "The query string is not well formed.");
    out[*key] = std::move(*value);
  }
  return out;
}

result<bool> parse_flag(const query_params& q, const std::string& key) {
  auto i = q.find(key);
  if (i == q.end())
    return false;
  if (i->second == "true")
    return true;
  if (i->second == "false")
    return false;
  return invalid(key, key + " must be true or false.");
}

result<std::optional<uint64_t>> parse_after(const query_params& q) {
  auto i = q.find("after");
  if (i == q.end())
    return std::optional<uint64_t>{};
  const auto& s = i->second;
  if (s.empty() || s.size() > 20)
    return invalid("after", "after must be a non-negative integer.");
  uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return invalid("after", "after must be a non-negative integer.");
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return invalid("after", "after is too large.");
    value = value * 10 + digit;
  }
  return std::optional<uint64_t>{value};
}

bool is_json_content_type(std::string_view value) {
  auto semi = value.find(';');
  return iequals(trim(value.substr(0, semi)), "application/json");
}

result<json> parse_json_object(std::string_view body) {
  auto parsed = json::parse(body.begin(), body.end(), nullptr, false);
  if (parsed.is_discarded())
    return error{ec::invalid_json, "The request body is not valid JSON."};
  if (!parsed.is_object())
    return error{ec::invalid_json, "The request body must be a JSON object."};
  return parsed;
}

} // namespace pincer::http
