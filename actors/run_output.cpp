#include "actors/run_output.hpp"

#include <algorithm>
#include <cctype>

#include "events/json_text.hpp"

namespace pincer {

namespace {

constexpr std::string_view start_markers[] = {"---PINCER_OUTPUT_START---",
                                              "---NANOCLAW_OUTPUT_START---"};
constexpr std::string_view end_markers[] = {"---PINCER_OUTPUT_END---",
                                            "---NANOCLAW_OUTPUT_END---"};

/// Most bytes one block may hold; a longer one is skipped.
constexpr size_t max_block_bytes = 16 * 1024 * 1024;

bool is_one_of(std::string_view text, const std::string_view (&markers)[2]) {
  return text == markers[0] || text == markers[1];
}

std::string lower(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

} // namespace

std::vector<json> output_parser::feed(std::string_view chunk) {
  std::vector<json> out;
  partial_.append(chunk.data(), chunk.size());
  size_t from = 0;
  for (auto nl = partial_.find('\n', from); nl != std::string::npos;
       nl = partial_.find('\n', from)) {
    line(std::string_view{partial_}.substr(from, nl - from), out);
    from = nl + 1;
  }
  partial_.erase(0, from);
  if (partial_.size() > max_block_bytes) {
    partial_.clear();
    if (inside_) {
      inside_ = false;
      body_.clear();
      ++skipped_;
    }
  }
  return out;
}

void output_parser::line(std::string_view text, std::vector<json>& out) {
  auto t = trim(text);
  if (!inside_) {
    inside_ = is_one_of(t, start_markers);
    return;
  }
  if (is_one_of(t, end_markers)) {
    inside_ = false;
    auto parsed = json::parse(body_, nullptr, false);
    body_.clear();
    if (parsed.is_object())
      out.push_back(std::move(parsed));
    else
      ++skipped_;
    return;
  }
  if (body_.size() + text.size() > max_block_bytes) {
    inside_ = false;
    body_.clear();
    ++skipped_;
    return;
  }
  body_.append(text.data(), text.size());
  body_ += '\n';
}

std::optional<std::string> strip_internal(std::string_view text) {
  static constexpr std::string_view open = "<internal>";
  static constexpr std::string_view close = "</internal>";
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    auto begin = text.find(open, at);
    if (begin == std::string_view::npos) {
      out.append(text.substr(at));
      break;
    }
    out.append(text.substr(at, begin - at));
    auto end = text.find(close, begin + open.size());
    if (end == std::string_view::npos)
      break;
    at = end + close.size();
  }
  auto trimmed = trim(out);
  if (trimmed.empty())
    return std::nullopt;
  return std::string{trimmed};
}

bool session_missing(std::string_view error_text) {
  auto text = lower(error_text);
  if (text.find("no conversation found") != std::string::npos)
    return true;
  if (auto e = text.find("enoent"); e != std::string::npos
                                     && text.find(".jsonl", e) != std::string::npos)
    return true;
  auto s = text.find("session");
  return s != std::string::npos && text.find("not found", s) != std::string::npos;
}

} // namespace pincer
