#pragma once

#include <string>
#include <utility>
#include <vector>

#include "http/request.hpp"

namespace pincer::http {

/// The common prefix of every API route.
inline constexpr const char* api_prefix = "/api/v1";

/// How the server answers a route.
enum class endpoint_kind {
  json,         ///< The handler answers once through its `reply_handler`.
  event_stream, ///< Server-Sent Events; the server runs the stream itself.
  raw,          ///< Like `json`, but the body is not decoded: the handler gets
                ///< `http_request::raw` (method, headers, body bytes).
};

/// One row of the endpoint table.
struct endpoint {
  http_method method;
  std::string path; ///< Full express pattern, e.g. `/api/v1/container/namespaces/:name`.
  http_handler handler; ///< Empty for `event_stream` rows.
  endpoint_kind kind = endpoint_kind::json;
};

/// The endpoint table. Rows with the same path are adjacent and more
/// specific paths come before parameterised ones, so the router can be
/// built in table order. `openapi` is what `GET /openapi.json` serves.
std::vector<endpoint> endpoints(json openapi);

/// The `:name` parameter names of an express pattern, in order.
std::vector<std::string> path_params(const std::string& pattern);

/// The table's (method, path) pairs, e.g. (`GET`, `/api/v1/health`).
std::vector<std::pair<std::string, std::string>> route_list();

} // namespace pincer::http
