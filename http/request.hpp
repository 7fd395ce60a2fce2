#pragma once

#include <functional>
#include <map>
#include <string>

#include "actors/core.hpp"

namespace pincer::http {

/// A decoded API request, as the endpoint handlers see it.
struct http_request {
  std::map<std::string, std::string> params; ///< URL-decoded path parameters.
  query_params query;                        ///< URL-decoded query parameters.
  json body;                                 ///< Parsed JSON object (POST/PUT), else null.
  request_meta meta;                         ///< Actor and request id.
  raw_request raw;                           ///< Undecoded request (`endpoint_kind::raw` only).

  /// The path parameter `name`, or an empty string.
  const std::string& param(const std::string& name) const;
};

/// The HTTP methods the API uses.
enum class http_method { get, post, put, del };

/// `GET`, `POST`, `PUT` or `DELETE`.
const char* to_string(http_method m) noexcept;

/// An endpoint handler: decodes the request, calls the core once and
/// returns; the core answers through `done`.
using http_handler =
  std::function<void(core&, const http_request&, reply_handler)>;

} // namespace pincer::http
