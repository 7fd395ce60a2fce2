#pragma once

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>

#include "events/envelope.hpp"
#include "tests/support/temp_dir.hpp"

namespace pincer {

/// Prints error codes by name in Boost.Test messages.
inline std::ostream& boost_test_print_type(std::ostream& os, ec code) {
  return os << to_string(code);
}

} // namespace pincer

namespace pincer::test {

/// An append request with one event per type in `types`.
inline append_request request(std::string stream, uint64_t expected,
                              std::vector<std::string> types) {
  append_request req;
  req.stream = std::move(stream);
  req.expected_version = expected;
  req.actor = "key:test";
  req.request_id = "req-1";
  for (auto& t : types)
    req.events.push_back(draft{std::move(t), 1, json{{"n", req.events.size()}}});
  return req;
}

} // namespace pincer::test
