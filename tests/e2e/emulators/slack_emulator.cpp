#include "tests/e2e/emulators/slack_emulator.hpp"

namespace pincer::emu {

namespace {

emu_response ok_json(const json& body) {
  emu_response r;
  r.body = body.dump();
  return r;
}

} // namespace

slack_emulator::slack_emulator(std::string bot_token, std::string app_token)
  : bot_token_(std::move(bot_token)), app_token_(std::move(app_token)),
    http_([this](const emu_request& r) { return handle(r); }) {
  ws_server_handlers h;
  h.on_open = [this](const std::shared_ptr<ws_peer>& p) {
    std::lock_guard<std::mutex> guard{mtx_};
    ++connections_;
    current_ = p;
    p->send(json{{"type", "hello"},
                 {"num_connections", 1},
                 {"connection_info", {{"app_id", "A1"}}},
                 {"debug_info", {{"host", "emulator"}, {"approximate_connection_time", 3600}}}}
              .dump());
    cv_.notify_all();
  };
  h.on_text = [this](const std::shared_ptr<ws_peer>&, const std::string& text) {
    auto msg = json::parse(text, nullptr, false);
    std::lock_guard<std::mutex> guard{mtx_};
    if (msg.is_object() && msg.value("envelope_id", json{}).is_string())
      acked_.insert(msg["envelope_id"].get<std::string>());
    cv_.notify_all();
  };
  h.on_close = [this](const std::shared_ptr<ws_peer>& p, int) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (current_ == p)
      current_.reset();
  };
  socket_ = std::make_unique<ws_server>(std::move(h));
}

slack_emulator::~slack_emulator() {
  http_.stop();
  socket_->stop();
  // Peers must go before the server's event loop does.
  current_.reset();
  socket_.reset();
}

emu_response slack_emulator::handle(const emu_request& r) {
  auto auth = r.headers.count("authorization") ? r.headers.at("authorization") : std::string{};
  auto bad = ok_json(json{{"ok", false}, {"error", "invalid_auth"}});
  if (r.path == "/apps.connections.open") {
    if (auth != "Bearer " + app_token_)
      return bad;
    std::lock_guard<std::mutex> guard{mtx_};
    return ok_json(json{{"ok", true},
                        {"url", socket_->url() + "/link/?ticket=t" + std::to_string(++next_)
                                  + "&app_id=A1"}});
  }
  if (auth != "Bearer " + bot_token_)
    return bad;
  if (r.path == "/auth.test")
    return ok_json(json{{"ok", true}, {"url", "https://acme.slack.com/"}, {"team", "Acme"},
                        {"user", "andy"}, {"team_id", "T1"}, {"user_id", "UBOT"},
                        {"bot_id", "BBOT"}});
  if (r.path == "/users.info") {
    std::lock_guard<std::mutex> guard{mtx_};
    ++lookups_;
    auto user = r.query.count("user") ? r.query.at("user") : std::string{};
    return ok_json(json{{"ok", true},
                        {"user",
                         {{"id", user},
                          {"name", "ann"},
                          {"real_name", "Ann Example"},
                          {"profile", {{"display_name", "Ann"}}}}}});
  }
  if (r.path == "/conversations.list") {
    // Two pages; the bot is a member of C1 and C2 only.
    std::lock_guard<std::mutex> guard{mtx_};
    ++listings_;
    auto cursor = r.query.count("cursor") ? r.query.at("cursor") : std::string{};
    if (cursor.empty())
      return ok_json(json{{"ok", true},
                          {"channels",
                           {{{"id", "C1"}, {"name", "general"}, {"is_member", true}},
                            {{"id", "C9"}, {"name", "elsewhere"}, {"is_member", false}}}},
                          {"response_metadata", {{"next_cursor", "page2"}}}});
    return ok_json(json{{"ok", true},
                        {"channels", {{{"id", "C2"}, {"name", "random"}, {"is_member", true}}}},
                        {"response_metadata", {{"next_cursor", ""}}}});
  }
  if (r.path == "/chat.postMessage") {
    auto body = json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body.value("channel", json{}).is_string()
        || !body.value("text", json{}).is_string())
      return ok_json(json{{"ok", false}, {"error", "invalid_arguments"}});
    std::lock_guard<std::mutex> guard{mtx_};
    sent_.push_back(slack_sent{body["channel"].get<std::string>(),
                               body["text"].get<std::string>(),
                               body.value("thread_ts", std::string{})});
    cv_.notify_all();
    return ok_json(json{{"ok", true}, {"channel", body["channel"]},
                        {"ts", "1700000100.0000" + std::to_string(10 + sent_.size())}});
  }
  emu_response r404;
  r404.status = 404;
  r404.body = R"({"ok":false,"error":"unknown_method"})";
  return r404;
}

json slack_emulator::event_body(const std::string& channel, const std::string& user,
                                const std::string& text, const std::string& event_id,
                                const std::string& ts, const std::string& thread_ts) {
  json event{{"type", "message"}, {"channel", channel}, {"user", user},
             {"text", text},      {"ts", ts},           {"event_ts", ts},
             {"channel_type", "channel"}};
  if (!thread_ts.empty())
    event["thread_ts"] = thread_ts;
  return json{{"token", "verification-token"},
              {"team_id", "T1"},
              {"api_app_id", "A1"},
              {"event", event},
              {"type", "event_callback"},
              {"event_id", event_id},
              {"event_time", 1700000000}};
}

std::string slack_emulator::inject_message(const std::string& channel, const std::string& text,
                                           const std::string& user,
                                           const std::string& thread_ts) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto n = std::to_string(++next_);
  auto envelope_id = "env-" + n;
  auto body = event_body(channel, user, text, "Ev" + n, "1700000000.0001" + n, thread_ts);
  json envelope{{"envelope_id", envelope_id},
                {"type", "events_api"},
                {"payload", body},
                {"accepts_response_payload", false},
                {"retry_attempt", 0},
                {"retry_reason", ""}};
  if (current_)
    current_->send(envelope.dump());
  return envelope_id;
}

void slack_emulator::send_disconnect(const std::string& reason) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (current_)
    current_->send(json{{"type", "disconnect"}, {"reason", reason}}.dump());
}

bool slack_emulator::acked(const std::string& envelope_id) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return acked_.count(envelope_id) > 0;
}

bool slack_emulator::wait_acked(const std::string& envelope_id,
                                std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return acked_.count(envelope_id) > 0; });
}

bool slack_emulator::wait_connections(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return connections_ >= n; });
}

bool slack_emulator::wait_sent(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return sent_.size() >= n; });
}

std::vector<slack_sent> slack_emulator::sent() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return sent_;
}

size_t slack_emulator::connections() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return connections_;
}

size_t slack_emulator::listings() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return listings_;
}

size_t slack_emulator::lookups() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return lookups_;
}

} // namespace pincer::emu
