#include "http/sse.hpp"

namespace pincer::http {

namespace {

/// Field values must not break the line framing.
std::string single_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  return text;
}

} // namespace

std::string format_sse(const json& envelope) {
  std::string out;
  auto type = envelope.find("type");
  if (type != envelope.end() && type->is_string())
    out += "event: " + single_line(type->get<std::string>()) + "\n";
  auto seq = envelope.find("seq");
  if (seq != envelope.end() && seq->is_number_integer())
    out += "id: " + seq->dump() + "\n";
  // dump() escapes control characters, so the JSON is one line.
  out += "data: " + envelope.dump() + "\n\n";
  return out;
}

} // namespace pincer::http
