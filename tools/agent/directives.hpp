#pragma once

#include <string>
#include <vector>

namespace pincer::agent {

/// One line of a prompt: a directive and its argument, or a line of plain text.
struct step {
  /// The directive's name (`echo`, `crash`, ...); empty for plain text.
  std::string name;
  /// The text after `name:` (leading blanks removed), or the whole plain-text line.
  std::string argument;
};

/// Splits a prompt into steps, one per line. Lines are trimmed; a `<message ...>`
/// opening and a `</message>` closing tag are removed (and the rest XML-unescaped), so
/// directives survive the host's message formatting; blank lines and lines that are a
/// single tag (`<messages>`, `<context ... />`) are dropped.
std::vector<step> parse_prompt(const std::string& text);

} // namespace pincer::agent
