#include "events/error.hpp"

namespace pincer {

std::string_view to_string(ec code) noexcept {
  switch (code) {
    case ec::none: return "none";
    case ec::invalid_json: return "invalid_json";
    case ec::validation_failed: return "validation_failed";
    case ec::not_found: return "not_found";
    case ec::conflict: return "conflict";
    case ec::unauthorized: return "unauthorized";
    case ec::forbidden: return "forbidden";
    case ec::payload_too_large: return "payload_too_large";
    case ec::unsupported_media_type: return "unsupported_media_type";
    case ec::method_not_allowed: return "method_not_allowed";
    case ec::timeout: return "timeout";
    case ec::runtime_unavailable: return "runtime_unavailable";
    case ec::upstream_error: return "upstream_error";
    case ec::internal:
    case ec::storage_failed:
    case ec::layout_too_new:
    case ec::undecodable_event: return "internal";
  }
  return "internal";
}

int http_status(ec code) noexcept {
  switch (code) {
    case ec::none: return 200;
    case ec::invalid_json:
    case ec::validation_failed: return 400;
    case ec::unauthorized: return 401;
    case ec::forbidden: return 403;
    case ec::not_found: return 404;
    case ec::method_not_allowed: return 405;
    case ec::conflict: return 409;
    case ec::payload_too_large: return 413;
    case ec::unsupported_media_type: return 415;
    case ec::upstream_error: return 502;
    case ec::runtime_unavailable: return 503;
    case ec::timeout: return 504;
    default: return 500;
  }
}

} // namespace pincer
