#include "actors/channel_socket.hpp"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

#include "actors/provider_http.hpp"
#include "actors/ws_client.hpp"
#include "events/time.hpp"

namespace pincer {

std::deque<socket_report> socket_inbox::take() {
  std::lock_guard<std::mutex> guard{mtx};
  std::deque<socket_report> out;
  out.swap(items);
  return out;
}

std::shared_ptr<socket_runner>
socket_runner::start(std::unique_ptr<socket_protocol> protocol,
                     std::function<void(socket_report)> report) {
  auto r = std::make_shared<socket_runner>(std::move(protocol), std::move(report));
  r->loop_->post([p = r.get()] { p->begin(); });
  return r;
}

socket_runner::socket_runner(std::unique_ptr<socket_protocol> protocol,
                             std::function<void(socket_report)> report)
  : protocol_(std::move(protocol)), report_(std::move(report)),
    loop_(std::make_unique<ws_loop>()) {
}

socket_runner::~socket_runner() {
  *stopping_ = true;
  // No handler runs once the loop thread is joined; the connection must go
  // before the loop's io_context does.
  loop_->join();
  conn_.reset();
  loop_.reset();
}

void socket_runner::stop() {
  *stopping_ = true;
  if (loop_)
    loop_->post([this] {
      if (conn_)
        conn_->drop();
      loop_->stop();
    });
}

void socket_runner::tell(socket_report r) {
  if (!*stopping_ && report_)
    report_(std::move(r));
}

void socket_runner::begin() {
  if (*stopping_)
    return;
  auto call = protocol_->discover_call();
  if (!call) {
    connect();
    return;
  }
  // The HTTP call blocks, so it runs beside the loop; the loop thread is
  // joined before the runner goes away, so `this` outlives the posted handler.
  std::thread([self = shared_from_this(), call = *call, stopping = stopping_] {
    auto r = perform_http(call, [stopping] { return stopping->load(); });
    if (!stopping->load())
      self->loop_->post([p = self.get(), r] { p->discovered(r); });
  }).detach();
}

void socket_runner::discovered(const http_result& r) {
  if (*stopping_)
    return;
  auto ok = protocol_->parse_discover(r);
  if (ok) {
    connect();
    return;
  }
  if (ok.err().code == ec::validation_failed) {
    tell(socket_report{socket_report::fatal, 0, {}, ok.err().message});
    *stopping_ = true;
    return;
  }
  retry(ok.err().message);
}

void socket_runner::retry(const std::string& why) {
  auto delay = std::chrono::milliseconds{std::min<int64_t>(250LL << std::min(failures_, 7), 30000)};
  if (failures_ == 0)
    delay = std::chrono::milliseconds{50};
  ++failures_;
  if (!why.empty())
    tell(socket_report{socket_report::trouble, 0, {}, why});
  ++timer_gen_;
  loop_->after(delay, [this] { begin(); });
}

void socket_runner::connect() {
  if (*stopping_)
    return;
  auto gen = ++conn_gen_;
  ws_handlers h;
  h.on_open = [this, gen] {
    if (gen == conn_gen_)
      apply(protocol_->on_open(now_ms()));
  };
  h.on_text = [this, gen](const std::string& frame) {
    if (gen == conn_gen_)
      apply(protocol_->on_text(frame, now_ms()));
  };
  h.on_close = [this, gen](int code, const std::string& reason) { closed(gen, code, reason); };
  conn_ = ws_connection::open(*loop_, protocol_->socket_url(), std::move(h));
}

void socket_runner::closed(uint64_t gen, int code, const std::string& reason) {
  if (gen != conn_gen_ || *stopping_)
    return;
  conn_.reset();
  ++timer_gen_;
  spdlog::info("channel socket closed (code {}): {}", code, reason);
  auto step = protocol_->on_close(code, now_ms());
  if (step.reconnect && !step.fatal) {
    retry(code == 0 ? "cannot open the WebSocket: " + reason
                    : "the WebSocket closed (code " + std::to_string(code) + ")");
    return;
  }
  apply(std::move(step));
}

void socket_runner::apply(socket_step step) {
  if (*stopping_)
    return;
  if (conn_)
    for (auto& frame : step.send)
      conn_->send(std::move(frame));
  if (step.ready) {
    failures_ = 0;
    tell(socket_report{socket_report::ready, 0, {}, {}});
  }
  if (!step.messages.empty()) {
    auto fetch = [stopping = stopping_](const http_call& c) {
      return perform_http(c, [stopping] { return stopping->load(); });
    };
    protocol_->complete(step.messages, fetch);
    tell(socket_report{socket_report::inbound, 0, std::move(step.messages), {}});
  }
  if (step.fatal) {
    tell(socket_report{socket_report::fatal, 0, {}, *step.fatal});
    *stopping_ = true;
    if (conn_)
      conn_->close(1000);
    return;
  }
  if (step.reconnect) {
    ++conn_gen_; // the old connection's close is ours, not news
    if (conn_)
      conn_->close(step.close_code);
    conn_.reset();
    retry({});
    return;
  }
  if (step.timer_ms) {
    auto tg = ++timer_gen_;
    loop_->after(std::chrono::milliseconds{std::max<int64_t>(*step.timer_ms, 0)}, [this, tg] {
      if (tg == timer_gen_ && !*stopping_)
        apply(protocol_->on_timer(now_ms()));
    });
  }
}

} // namespace pincer
