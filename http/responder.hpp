#pragma once

// Private to http/server.cpp.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/core.hpp"
#include "http/errors.hpp"
#include "http/server_traits.hpp"

namespace pincer::http {

/// Shared by the server and everything that may answer after it stopped:
/// keeps the io_context alive and counts responses still to be written.
struct server_state {
  std::shared_ptr<asio::io_context> io;
  std::atomic<bool> stopping{false};
  /// Notes each answer: status and microseconds since the request arrived.
  std::function<void(int, int64_t)> on_answer;

  void enter() {
    std::lock_guard<std::mutex> guard{mtx_};
    ++in_flight_;
  }

  void leave() {
    std::lock_guard<std::mutex> guard{mtx_};
    if (--in_flight_ == 0)
      idle_.notify_all();
  }

  /// Waits until no response is pending or the deadline passed.
  bool wait_idle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock{mtx_};
    return idle_.wait_until(lock, deadline, [this] { return in_flight_ == 0; });
  }

private:
  std::mutex mtx_;
  std::condition_variable idle_;
  size_t in_flight_ = 0;
};

/// Counts one pending response from construction until destruction.
class flight_token {
public:
  explicit flight_token(std::shared_ptr<server_state> st) : state_(std::move(st)) {
    state_->enter();
  }
  ~flight_token() {
    state_->leave();
  }
  flight_token(const flight_token&) = delete;
  flight_token& operator=(const flight_token&) = delete;

private:
  std::shared_ptr<server_state> state_;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

/// Answers one request exactly once. Later answers are dropped with a log
/// line; destroying it unanswered answers 500 internal. Safe to use from
/// any thread: RESTinio moves the write onto the connection's strand.
class responder {
public:
  using stream_builder = restinio::response_builder_t<restinio::chunked_output_t>;

  responder(request_handle req, std::shared_ptr<server_state> st)
    : state_(st), token_(std::make_shared<flight_token>(st)), req_(std::move(req)) {
  }

  ~responder() {
    if (!answered_.load())
      send_error(error{ec::internal, "request dropped without an answer"});
  }

  responder(const responder&) = delete;
  responder& operator=(const responder&) = delete;

  const std::string& request_id() const noexcept {
    return req_->extra_data().request_id;
  }

  /// Answers with a core result.
  void send(result<reply> r) {
    if (r && !r->content_type.empty())
      send_text(r->status, r->content_type, r->text ? *r->text : std::string{});
    else if (r)
      send_json(r->status, r->body, {}, std::move(r->text));
    else
      send_error(r.err());
  }

  /// Answers with a JSON body, or with `text` (the body already serialized)
  /// when set; 204 goes without one.
  void send_json(int status, const json& body, const header_list& extra = {},
                 std::shared_ptr<const std::string> text = nullptr) {
    if (!claim())
      return;
    try {
      auto resp = req_->create_response(restinio::http_status_line_t{
        restinio::http_status_code_t{static_cast<std::uint16_t>(status)},
        std::string{reason(status)}});
      resp.append_header("X-Request-Id", request_id());
      for (auto& [name, value] : extra)
        resp.append_header(name, value);
      if (state_->stopping.load())
        resp.connection_close();
      if (status != 204 && status != 304) {
        resp.append_header(restinio::http_field::content_type, "application/json");
        if (text)
          resp.set_body(std::move(text));
        else
          resp.set_body(body.is_null() && status < 300 ? std::string{"null"} : body.dump());
      }
      // Counted before it leaves: a client that reads the metrics next
      // must find this request in them.
      account(status);
      resp.done([tok = std::move(token_)](const asio::error_code&) {});
      spdlog::debug("{} {} {} -> {}", request_id(), method_name(), path(), status);
    } catch (const std::exception& ex) {
      spdlog::error("request {}: cannot send the response: {}", request_id(), ex.what());
    }
  }

  /// Answers with a body of another media type (e.g. `text/plain`).
  void send_text(int status, const std::string& content_type, std::string text) {
    if (!claim())
      return;
    try {
      auto resp = req_->create_response(restinio::http_status_line_t{
        restinio::http_status_code_t{static_cast<std::uint16_t>(status)},
        std::string{reason(status)}});
      resp.append_header("X-Request-Id", request_id());
      if (state_->stopping.load())
        resp.connection_close();
      resp.append_header(restinio::http_field::content_type, content_type);
      resp.set_body(std::move(text));
      account(status);
      resp.done([tok = std::move(token_)](const asio::error_code&) {});
    } catch (const std::exception& ex) {
      spdlog::error("request {}: cannot send the response: {}", request_id(), ex.what());
    }
  }

  /// Answers with the error envelope.
  void send_error(const error& e, const header_list& extra = {}) {
    auto status = error_status(e);
    if (status >= 500)
      spdlog::error("request {} ({} {}) failed: {}: {}", request_id(), method_name(),
                    path(), to_string(e.code), e.message);
    send_json(status, error_body(e, request_id()), extra);
  }

  /// Starts a chunked `text/event-stream` answer; nullopt if already
  /// answered. The returned token counts the stream as pending.
  std::optional<std::pair<stream_builder, std::shared_ptr<flight_token>>> start_stream() {
    if (!claim())
      return std::nullopt;
    auto resp = req_->create_response<restinio::chunked_output_t>();
    resp.append_header("X-Request-Id", request_id());
    resp.append_header(restinio::http_field::content_type, "text/event-stream");
    resp.append_header(restinio::http_field::cache_control, "no-cache");
    return std::make_pair(std::move(resp), std::move(token_));
  }

private:
  void account(int status) const {
    if (!state_->on_answer)
      return;
    auto elapsed = std::chrono::steady_clock::now() - req_->extra_data().received;
    state_->on_answer(status,
                      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
  }

  bool claim() {
    bool expected = false;
    if (answered_.compare_exchange_strong(expected, true))
      return true;
    spdlog::warn("request {}: a second answer was dropped", request_id());
    return false;
  }

  std::string method_name() const {
    return req_->header().method().c_str();
  }

  std::string path() const {
    return std::string{req_->header().path()};
  }

  static const char* reason(int status) noexcept {
    switch (status) {
      case 200: return "OK";
      case 201: return "Created";
      case 202: return "Accepted";
      case 204: return "No Content";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 409: return "Conflict";
      case 413: return "Payload Too Large";
      case 415: return "Unsupported Media Type";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      case 504: return "Gateway Timeout";
      default: return "Unknown";
    }
  }

  std::shared_ptr<server_state> state_;
  std::shared_ptr<flight_token> token_;
  request_handle req_;
  std::atomic<bool> answered_{false};
};

} // namespace pincer::http
