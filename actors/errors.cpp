#include "actors/interfaces.hpp"

namespace pincer {

namespace {

constexpr auto category = caf::atom("pincer");

} // namespace

caf::error to_caf(const error& e) {
  return caf::error{static_cast<uint8_t>(e.code), category,
                    caf::make_message(e.message, e.field)};
}

error from_caf(const caf::error& e) {
  if (e.category() == category) {
    error out{static_cast<ec>(e.code()), ""};
    auto& ctx = e.context();
    if (ctx.match_elements<std::string, std::string>()) {
      out.message = ctx.get_as<std::string>(0);
      out.field = ctx.get_as<std::string>(1);
    }
    return out;
  }
  if (e == caf::sec::request_timeout)
    return error{ec::timeout, "the request timed out"};
  return error{ec::internal, caf::to_string(e)};
}

} // namespace pincer
