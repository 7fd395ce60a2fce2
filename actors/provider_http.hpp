#pragma once

#include <functional>
#include <string>

#include "actors/channel_types.hpp"

namespace pincer {

/// Runs one provider HTTP call with libcurl, blocking the calling thread (a
/// channel's own I/O thread, never a scheduler thread). When `abort` returns
/// true the transfer in flight ends (long polls end at once on disconnect).
http_result perform_http(const http_call& call, const std::function<bool()>& abort = {});

/// Percent-encodes a URL component.
std::string url_encode(const std::string& text);

} // namespace pincer
