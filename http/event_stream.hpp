#pragma once

// Private to http/server.cpp.

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/core.hpp"
#include "http/responder.hpp"
#include "http/sse.hpp"

namespace pincer::http {

/// One open `GET /events/stream` answer. The core's sink pushes batches from
/// an actor thread; the server's heartbeat thread pings and closes it.
class event_stream : public std::enable_shared_from_this<event_stream> {
public:
  event_stream(core& c, responder::stream_builder resp,
               std::shared_ptr<flight_token> token)
    : core_(c), resp_(std::move(resp)), token_(std::move(token)) {
  }

  /// Sends the opening comment so that the client sees the headers.
  void open() {
    std::lock_guard<std::mutex> guard{mtx_};
    write_locked(sse_hello);
  }

  /// The event sink: false once the client is gone or the stream ended.
  bool push(const std::vector<json>& batch) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!open_)
      return false;
    if (broken_.load()) {
      close_locked();
      return false;
    }
    std::string chunk;
    for (auto& envelope : batch)
      chunk += format_sse(envelope);
    write_locked(std::move(chunk));
    return true;
  }

  /// Pings an idle client; ends the stream when an earlier write failed.
  /// Returns false once the stream is over.
  bool heartbeat() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (open_ && !broken_.load()) {
        write_locked(sse_heartbeat);
        return true;
      }
    }
    finish();
    return false;
  }

  /// Records the core subscription; ends it at once if the stream is over.
  void subscribed(uint64_t id) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      subscription_ = id;
      if (open_)
        return;
    }
    finish();
  }

  /// Ends the answer and the core subscription. Idempotent.
  void finish() {
    std::optional<uint64_t> sub;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      close_locked();
      std::swap(sub, subscription_);
    }
    if (sub)
      core_.unsubscribe(*sub);
  }

  bool is_open() {
    std::lock_guard<std::mutex> guard{mtx_};
    return open_;
  }

private:
  void write_locked(std::string chunk) {
    try {
      resp_.append_chunk(std::move(chunk));
      resp_.flush([weak = weak_from_this()](const asio::error_code& err) {
        if (err)
          if (auto self = weak.lock())
            self->broken_ = true;
      });
    } catch (const std::exception& ex) {
      spdlog::warn("event stream: write failed: {}", ex.what());
      broken_ = true;
    }
  }

  void close_locked() {
    if (!open_)
      return;
    open_ = false;
    try {
      resp_.done([tok = std::move(token_)](const asio::error_code&) {});
    } catch (const std::exception& ex) {
      spdlog::warn("event stream: cannot end the answer: {}", ex.what());
    }
  }

  core& core_;
  std::mutex mtx_;
  responder::stream_builder resp_;
  std::shared_ptr<flight_token> token_;
  bool open_ = true;
  std::atomic<bool> broken_{false};
  std::optional<uint64_t> subscription_;
};

} // namespace pincer::http
