#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pincer::e2e {

using json = nlohmann::json;

/// One HTTP answer. `status` is 0 when the transfer failed; `transport_error`
/// then says why.
struct http_response {
  long status = 0;
  /// Header names in lower case; a repeated header keeps its last value.
  std::map<std::string, std::string> headers;
  std::string body;
  int curl_code = 0;
  std::string transport_error;

  /// True when the transfer ended without a transport error.
  bool complete() const noexcept {
    return curl_code == 0 && status > 0;
  }

  /// The value of a header (any case), or "" when absent.
  std::string header(std::string_view name) const;

  /// The body as JSON; throws when it is not JSON.
  json json_body() const;
};

/// A libcurl client bound to one base URL. It reuses one handle, so the
/// connection is kept alive between requests. Not thread-safe: one client
/// per thread.
class http_client {
public:
  explicit http_client(std::string base_url);

  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  ~http_client();

  /// Headers ("Name: value") sent with every request, e.g. the API key.
  void default_headers(std::vector<std::string> headers) {
    defaults_ = std::move(headers);
  }

  /// Gives up on a request after this long (default 15 s).
  void timeout(std::chrono::milliseconds t) {
    timeout_ = t;
  }

  /// Sends a request. `path` is sent as is (no dot-segment squashing). With
  /// a body and no `Content-Type` in `headers`, the body goes as
  /// `application/json`; a header "Content-Type:" sends none at all.
  http_response request(const std::string& method, const std::string& path,
                        const std::string& body = {},
                        const std::vector<std::string>& headers = {});

  http_response get(const std::string& path, const std::vector<std::string>& headers = {}) {
    return request("GET", path, {}, headers);
  }

  http_response post(const std::string& path, const json& body,
                     const std::vector<std::string>& headers = {}) {
    return request("POST", path, body.dump(), headers);
  }

  http_response put(const std::string& path, const json& body,
                    const std::vector<std::string>& headers = {}) {
    return request("PUT", path, body.dump(), headers);
  }

  http_response del(const std::string& path, const std::vector<std::string>& headers = {}) {
    return request("DELETE", path, {}, headers);
  }

  /// Streams a GET answer: `on_data` sees each chunk as it arrives and
  /// returns false to abort the transfer. The response body stays empty; an
  /// abort from `on_data` is not reported as a transport error.
  http_response stream(const std::string& path,
                       const std::function<bool(std::string_view)>& on_data,
                       const std::vector<std::string>& headers = {});

private:
  http_response perform(const std::string& method, const std::string& path,
                        const std::string* body, const std::vector<std::string>& headers,
                        const std::function<bool(std::string_view)>* on_data);

  std::string base_;
  void* curl_ = nullptr;
  std::vector<std::string> defaults_;
  std::chrono::milliseconds timeout_{15000};
};

} // namespace pincer::e2e
