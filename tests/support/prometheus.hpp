#pragma once

// A strict reader of the Prometheus text exposition format (0.0.4), for
// tests: it reports every rule a scrape would trip over.

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace pincer::test {

/// The samples of a parsed exposition, by series (`name{labels}`), and the
/// problems found; a good exposition has none.
struct prometheus_scrape {
  std::map<std::string, double> series;
  std::map<std::string, std::string> types; ///< Family name -> type.
  std::vector<std::string> problems;
};

/// Parses `text`: HELP then TYPE once per family and before its samples,
/// valid names and label sets, numeric values, no duplicate series, every
/// sample of a declared family (summaries may add `_sum` and `_count`).
inline prometheus_scrape parse_prometheus(const std::string& text) {
  static const std::regex meta{R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+))"};
  static const std::regex sample{
    R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*)?\})? (\S+))"};
  static const std::set<std::string> kinds{"counter", "gauge", "summary", "histogram", "untyped"};
  prometheus_scrape out;
  std::set<std::string> helped;
  std::istringstream in{text};
  std::string line;
  size_t n = 0;
  if (!text.empty() && text.back() != '\n')
    out.problems.push_back("the text does not end with a newline");
  while (std::getline(in, line)) {
    ++n;
    auto where = "line " + std::to_string(n) + ": ";
    std::smatch m;
    if (line.empty()) {
      out.problems.push_back(where + "empty line");
    } else if (line[0] == '#') {
      if (!std::regex_match(line, m, meta)) {
        out.problems.push_back(where + "bad comment: " + line);
        continue;
      }
      auto name = m[2].str();
      if (m[1] == "HELP" && !helped.insert(name).second)
        out.problems.push_back(where + "second HELP for " + name);
      if (m[1] == "TYPE") {
        if (!kinds.count(m[3].str()))
          out.problems.push_back(where + "unknown type " + m[3].str());
        if (!out.types.emplace(name, m[3].str()).second)
          out.problems.push_back(where + "second TYPE for " + name);
      }
    } else if (std::regex_match(line, m, sample)) {
      auto name = m[1].str();
      auto family = name;
      for (std::string suffix : {"_sum", "_count"})
        if (!out.types.count(family) && family.size() > suffix.size()
            && family.compare(family.size() - suffix.size(), suffix.size(), suffix) == 0)
          family = family.substr(0, family.size() - suffix.size());
      if (!out.types.count(family))
        out.problems.push_back(where + "sample before its TYPE: " + name);
      char* end = nullptr;
      auto value = m[7].str();
      double v = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0')
        if (value != "NaN" && value != "+Inf" && value != "-Inf")
          out.problems.push_back(where + "bad value " + value);
      auto key = name + m[2].str();
      if (!out.series.emplace(key, v).second)
        out.problems.push_back(where + "duplicate series " + key);
    } else {
      out.problems.push_back(where + "not a sample: " + line);
    }
  }
  return out;
}

} // namespace pincer::test
