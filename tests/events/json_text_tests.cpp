#include "events/json_text.hpp"

#include <random>

#include <boost/test/unit_test.hpp>

#include "events/envelope.hpp"

using namespace pincer;

namespace {

/// The escaping rule spelled out one byte at a time.
std::string reference_quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f)
      out += std::string{"\\u00"} + hex[c >> 4] + hex[c & 0xF];
    else
      out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string as_json_string(std::string_view s) {
  std::string out = "prefix:";
  append_json_string(out, s);
  return out.substr(7);
}

} // namespace

BOOST_AUTO_TEST_SUITE(events_json_text)

BOOST_AUTO_TEST_CASE(each_special_byte_is_escaped_at_every_position_of_a_word) {
  for (int c = 0; c < 0x80; ++c)
    for (size_t pos = 0; pos < 20; ++pos) {
      std::string s(20, 'a');
      s[pos] = static_cast<char>(c);
      BOOST_TEST(as_json_string(s) == reference_quote(s), "byte " << c << " at " << pos);
    }
}

BOOST_AUTO_TEST_CASE(random_strings_match_the_byte_by_byte_rule) {
  std::mt19937 gen{20261203};
  const std::string alphabet = std::string{"ab \"\\\n\r\t\x01\x1f\x7f\x20\x7e"} + "\xc3\xa9\xff";
  std::uniform_int_distribution<size_t> len{0, 40}, pick{0, alphabet.size() - 1};
  for (int round = 0; round < 5000; ++round) {
    std::string s(len(gen), ' ');
    for (auto& c : s)
      c = alphabet[pick(gen)];
    BOOST_REQUIRE_EQUAL(as_json_string(s), reference_quote(s));
  }
}

BOOST_AUTO_TEST_CASE(quoted_utf8_text_parses_back_to_itself) {
  const std::string s = "Andy says \"héllo\"\n\tto C:\\groups\x01 ✓ and 🦀";
  BOOST_TEST(json::parse(as_json_string(s)).get<std::string>() == s);
  BOOST_TEST(as_json_string("") == "\"\"");
}

BOOST_AUTO_TEST_SUITE_END()
