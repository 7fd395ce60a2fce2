#pragma once

#include <string>

#include "events/envelope.hpp"

namespace pincer {

/// The key that marks a JSON object as a sealed secret: `{"sealed": "aes-256-gcm", ...}`.
constexpr const char* sealed_marker = "sealed";

/// The text that display forms show instead of a sealed secret.
constexpr const char* redacted_text = "[redacted]";

/// Whether `j` is a sealed secret (an object with the `sealed` marker).
bool is_sealed(const json& j);

/// `j` with every sealed secret, at any depth, replaced by `[redacted]`.
json redact_sealed(json j);

} // namespace pincer
