#include "http/errors.hpp"

namespace pincer::http {

namespace {

ec effective(ec code) noexcept {
  return code == ec::none ? ec::internal : code;
}

} // namespace

int error_status(const error& e) noexcept {
  return http_status(effective(e.code));
}

std::string public_message(const error& e) {
  if (error_status(e) == 500)
    return "The server failed to handle the request; its log names the "
           "cause under this request id.";
  if (!e.message.empty())
    return e.message;
  switch (effective(e.code)) {
    case ec::invalid_json: return "The request body is not valid JSON.";
    case ec::validation_failed: return "A request field is not valid.";
    case ec::not_found: return "The resource does not exist.";
    case ec::conflict: return "The request conflicts with the current state.";
    case ec::unauthorized: return "A valid X-API-Key header is required.";
    case ec::forbidden: return "The request is not allowed.";
    case ec::payload_too_large: return "The request body is too large.";
    case ec::unsupported_media_type:
      return "The request body must be application/json.";
    case ec::method_not_allowed:
      return "The method is not allowed for this path.";
    case ec::timeout: return "The request took too long.";
    case ec::runtime_unavailable: return "No container runtime is available.";
    case ec::upstream_error: return "An upstream service failed.";
    default: return "The request failed.";
  }
}

json error_body(const error& e, std::string_view request_id) {
  json details = json::object();
  if (effective(e.code) == ec::validation_failed && !e.field.empty())
    details["field"] = e.field;
  return json{
    {"error",
     {{"code", std::string{to_string(effective(e.code))}},
      {"message", public_message(e)},
      {"details", std::move(details)}}},
    {"requestId", std::string{request_id}},
  };
}

} // namespace pincer::http
