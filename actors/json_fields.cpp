#include "actors/json_fields.hpp"

namespace pincer {

std::string text_of(const json& obj, const char* key) {
  if (!obj.is_object())
    return {};
  auto i = obj.find(key);
  return i != obj.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

bool is_true(const json& obj, const char* key) {
  if (!obj.is_object())
    return false;
  auto i = obj.find(key);
  return i != obj.end() && i->is_boolean() && i->get<bool>();
}

} // namespace pincer
