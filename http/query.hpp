#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/core.hpp"

namespace pincer::http {

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`); nullopt
/// for a malformed escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_is_space = false);

/// Parses a query string (`a=1&b=x%20y`, no leading `?`); the last value of
/// a repeated key wins. Fails with `validation_failed` (field `query`).
result<query_params> parse_query_string(std::string_view text);

/// A `?key=true|false` flag (default false); anything else fails with field `key`.
result<bool> parse_flag(const query_params& q, const std::string& key);

/// `?after=N` as a non-negative integer; nullopt when absent. Anything else
/// fails with field `after`.
result<std::optional<uint64_t>> parse_after(const query_params& q);

/// Whether a `Content-Type` value is `application/json`, with optional
/// parameters such as `; charset=utf-8`.
bool is_json_content_type(std::string_view value);

/// Parses a request body that must be a JSON object; `invalid_json` else.
result<json> parse_json_object(std::string_view body);

} // namespace pincer::http
