#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "http/endpoints.hpp"

using namespace pincer;
using namespace pincer::http;

namespace {

json load_document() {
  std::ifstream in{std::string{PINCER_SOURCE_DIR} + "/docs/openapi.json"};
  BOOST_REQUIRE(in);
  return json::parse(in);
}

/// `/api/v1/container/namespaces/:name` -> `/container/namespaces/{name}`.
std::string to_openapi_path(std::string path) {
  std::string prefix = api_prefix;
  BOOST_REQUIRE(path.compare(0, prefix.size(), prefix) == 0);
  path.erase(0, prefix.size());
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != ':') {
      out.push_back(path[i]);
      continue;
    }
    auto end = path.find('/', i);
    if (end == std::string::npos)
      end = path.size();
    out += "{" + path.substr(i + 1, end - i - 1) + "}";
    i = end - 1;
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

using operation = std::pair<std::string, std::string>;

std::set<operation> table_operations() {
  std::set<operation> out;
  for (auto& [method, path] : route_list())
    out.emplace(lower(method), to_openapi_path(path));
  return out;
}

std::set<operation> document_operations(const json& doc) {
  static const std::set<std::string> methods = {"get",     "put",  "post",
                                                "delete",  "patch", "head",
                                                "options", "trace"};
  std::set<operation> out;
  for (auto& [path, item] : doc.at("paths").items())
    for (auto& [key, value] : item.items())
      if (methods.count(key) > 0)
        out.emplace(key, path);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_openapi)

BOOST_AUTO_TEST_CASE(the_document_is_openapi_3_1_and_serves_api_v1) {
  auto doc = load_document();
  BOOST_TEST(doc.at("openapi").get<std::string>() == "3.1.0");
  BOOST_TEST(doc.at("servers").at(0).at("url").get<std::string>().find(api_prefix)
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_route_in_the_table_is_documented) {
  auto documented = document_operations(load_document());
  for (auto& op : table_operations())
    BOOST_TEST(documented.count(op) == 1u, op.first << " " << op.second);
}

BOOST_AUTO_TEST_CASE(every_documented_operation_is_in_the_table) {
  auto routed = table_operations();
  for (auto& op : document_operations(load_document()))
    BOOST_TEST(routed.count(op) == 1u, op.first << " " << op.second);
}

BOOST_AUTO_TEST_CASE(the_table_has_no_duplicate_routes) {
  auto list = route_list();
  std::set<std::pair<std::string, std::string>> unique{list.begin(), list.end()};
  BOOST_TEST(unique.size() == list.size());
}

BOOST_AUTO_TEST_CASE(rows_with_the_same_path_are_adjacent_in_the_table) {
  auto list = route_list();
  std::set<std::string> finished;
  for (size_t i = 0; i < list.size(); ++i) {
    BOOST_TEST(finished.count(list[i].second) == 0u, list[i].second);
    if (i + 1 == list.size() || list[i + 1].second != list[i].second)
      finished.insert(list[i].second);
  }
}

BOOST_AUTO_TEST_CASE(merge_instructions_is_routed_before_the_name_pattern) {
  auto list = route_list();
  size_t merge = list.size();
  size_t by_name = list.size();
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].second == "/api/v1/container/namespaces/merge-instructions" && merge == list.size())
      merge = i;
    if (list[i].second == "/api/v1/container/namespaces/:name" && by_name == list.size())
      by_name = i;
  }
  BOOST_TEST(merge < by_name);
}

BOOST_AUTO_TEST_CASE(path_parameters_are_read_from_the_pattern) {
  using names = std::vector<std::string>;
  BOOST_TEST(path_params("/api/v1/health") == names{});
  BOOST_TEST(path_params("/api/v1/container/namespaces/:name") == names{"name"});
  BOOST_TEST(path_params("/a/:x/b/:y") == (names{"x", "y"}));
}

BOOST_AUTO_TEST_CASE(every_schema_reference_resolves) {
  auto doc = load_document();
  std::vector<const json*> todo{&doc};
  size_t refs = 0;
  while (!todo.empty()) {
    auto* node = todo.back();
    todo.pop_back();
    if (node->is_object()) {
      auto r = node->find("$ref");
      if (r != node->end()) {
        ++refs;
        auto pointer = r->get<std::string>();
        BOOST_REQUIRE(pointer.rfind("#/", 0) == 0);
        BOOST_TEST(doc.contains(json::json_pointer{pointer.substr(1)}), pointer);
      }
      for (auto& [key, value] : node->items())
        todo.push_back(&value);
    } else if (node->is_array()) {
      for (auto& value : *node)
        todo.push_back(&value);
    }
  }
  BOOST_TEST(refs > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
