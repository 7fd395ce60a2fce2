#pragma once

#include <string>
#include <string_view>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer::http {

/// The HTTP status an error is answered with (`ec::none` counts as internal).
int error_status(const error& e) noexcept;

/// The message a client sees: the error's own text, or a generic sentence
/// for every error that maps to 500.
std::string public_message(const error& e);

/// The error envelope:
/// `{"error":{"code","message","details":{}},"requestId":"..."}`.
json error_body(const error& e, std::string_view request_id);

} // namespace pincer::http
