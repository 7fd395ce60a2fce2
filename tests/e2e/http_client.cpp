#include "tests/e2e/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <curl/curl.h>

namespace pincer::e2e {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'
                        || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool has_header(const std::vector<std::string>& headers, std::string_view name) {
  auto wanted = lower(name) + ":";
  return std::any_of(headers.begin(), headers.end(), [&](const std::string& h) {
    return lower(h).rfind(wanted, 0) == 0;
  });
}

/// What the libcurl callbacks fill in.
struct transfer {
  http_response* res;
  const std::function<bool(std::string_view)>* on_data;
  bool aborted = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  auto n = size * count;
  if (t.on_data != nullptr) {
    if (!(*t.on_data)(std::string_view{data, n})) {
      t.aborted = true;
      return 0;
    }
    return n;
  }
  t.res->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  auto n = size * count;
  std::string_view line{data, n};
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after a 100 Continue, say) starts a new header set.
    t.res->headers.clear();
    return n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    t.res->headers[lower(trim(line.substr(0, colon)))] = std::string{trim(line.substr(colon + 1))};
  return n;
}

struct global_init {
  global_init() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
  }
};

} // namespace

std::string http_response::header(std::string_view name) const {
  auto i = headers.find(lower(name));
  return i == headers.end() ? std::string{} : i->second;
}

json http_response::json_body() const {
  return json::parse(body);
}

http_client::http_client(std::string base_url) : base_(std::move(base_url)) {
  static global_init once;
  curl_ = curl_easy_init();
  if (curl_ == nullptr)
    throw std::runtime_error("curl_easy_init failed");
}

http_client::~http_client() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

http_response http_client::request(const std::string& method, const std::string& path,
                                   const std::string& body,
                                   const std::vector<std::string>& headers) {
  bool with_body = !body.empty() || method == "POST" || method == "PUT";
  return perform(method, path, with_body ? &body : nullptr, headers, nullptr);
}

http_response http_client::stream(const std::string& path,
                                  const std::function<bool(std::string_view)>& on_data,
                                  const std::vector<std::string>& headers) {
  return perform("GET", path, nullptr, headers, &on_data);
}

http_response http_client::perform(const std::string& method, const std::string& path,
                                   const std::string* body,
                                   const std::vector<std::string>& headers,
                                   const std::function<bool(std::string_view)>* on_data) {
  auto curl = static_cast<CURL*>(curl_);
  // Reset keeps the live connections of the handle.
  curl_easy_reset(curl);
  http_response res;
  transfer t{&res, on_data};
  auto url = base_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  curl_slist* list = nullptr;
  auto add = [&](const std::string& h) { list = curl_slist_append(list, h.c_str()); };
  for (auto& h : defaults_)
    if (!has_header(headers, h.substr(0, h.find(':'))))
      add(h);
  for (auto& h : headers)
    add(h);
  if (body != nullptr && !has_header(headers, "Content-Type"))
    add("Content-Type: application/json");
  add("Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  auto rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  res.status = status;
  if (rc != CURLE_OK && !(t.aborted && rc == CURLE_WRITE_ERROR)) {
    res.curl_code = static_cast<int>(rc);
    res.transport_error = curl_easy_strerror(rc);
    res.status = 0;
  }
  return res;
}

} // namespace pincer::e2e
