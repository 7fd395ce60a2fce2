#include "events/sealed.hpp"

namespace pincer {

bool is_sealed(const json& j) {
  if (!j.is_object())
    return false;
  auto i = j.find(sealed_marker);
  return i != j.end() && i->is_string();
}

json redact_sealed(json j) {
  if (is_sealed(j))
    return redacted_text;
  if (j.is_object() || j.is_array())
    for (auto& x : j)
      x = redact_sealed(std::move(x));
  return j;
}

} // namespace pincer
