#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

namespace pincer {

/// The project's one error enum. The numbers are pinned: they travel inside
/// CAF errors and must never be reused for another meaning.
enum class ec : uint8_t {
  none = 0,                    ///< No error.
  invalid_json = 1,            ///< A request body is not valid JSON.
  validation_failed = 2,       ///< A field has a wrong type or value.
  not_found = 3,               ///< The addressed resource does not exist.
  conflict = 4,                ///< A uniqueness rule or stream version failed.
  unauthorized = 5,            ///< Missing or wrong API key.
  forbidden = 6,               ///< Authenticated, but not allowed.
  payload_too_large = 7,       ///< A body over the size limit.
  unsupported_media_type = 8,  ///< A body that is not application/json.
  method_not_allowed = 9,      ///< The path exists, the method does not.
  timeout = 10,                ///< An internal request took too long.
  internal = 11,               ///< A bug or an unexpected failure.
  storage_failed = 12,         ///< The event store could not read or write.
  layout_too_new = 13,         ///< The data folder was written by a newer pincer.
  undecodable_event = 14,      ///< A stored event cannot be decoded.
  runtime_unavailable = 15,    ///< No container runtime.
  upstream_error = 16,         ///< A provider or upstream failed.
};

/// The snake_case name of an error code, as used in API error bodies.
std::string_view to_string(ec code) noexcept;

/// The HTTP status that an error code maps to.
int http_status(ec code) noexcept;

/// An error with a human-readable message and optional details; `field`
/// names the offending request field for `validation_failed`.
struct error {
  ec code = ec::internal;
  std::string message;
  std::string field;

  error() = default;
  error(ec c, std::string msg, std::string fld = {})
    : code(c), message(std::move(msg)), field(std::move(fld)) {
  }
};

/// Shorthand for a validation error naming a field.
inline error invalid(std::string field, std::string message) {
  return error{ec::validation_failed, std::move(message), std::move(field)};
}

/// A value or an error; the small vocabulary type of the layers below actors.
template <class T>
class result {
public:
  result(T value) : data_(std::move(value)) {
  }
  result(error err) : data_(std::move(err)) {
  }

  explicit operator bool() const noexcept {
    return data_.index() == 0;
  }
  T& operator*() {
    return std::get<0>(data_);
  }
  const T& operator*() const {
    return std::get<0>(data_);
  }
  T* operator->() {
    return &std::get<0>(data_);
  }
  const T* operator->() const {
    return &std::get<0>(data_);
  }
  const error& err() const {
    return std::get<1>(data_);
  }
  error& err() {
    return std::get<1>(data_);
  }

private:
  std::variant<T, error> data_;
};

/// Success marker for `result<unit>`.
struct unit {};

} // namespace pincer
