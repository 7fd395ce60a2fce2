#pragma once

#include <string>

#include "events/envelope.hpp"

namespace pincer::http {

/// One Server-Sent Events message for an envelope JSON:
/// `event: <type>\nid: <seq>\ndata: <json>\n\n`.
std::string format_sse(const json& envelope);

/// The comment sent when a stream opens, so clients see the headers.
inline constexpr const char* sse_hello = ": ok\n\n";

/// The comment sent periodically to keep idle streams alive.
inline constexpr const char* sse_heartbeat = ": ping\n\n";

} // namespace pincer::http
