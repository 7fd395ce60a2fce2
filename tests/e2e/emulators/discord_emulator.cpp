#include "tests/e2e/emulators/discord_emulator.hpp"

#include <cmath>

namespace pincer::emu {

namespace {

using clock = std::chrono::steady_clock;

emu_response json_response(int status, const json& body) {
  emu_response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

double secs_until(clock::time_point t, clock::time_point now) {
  return std::max(0.0, std::chrono::duration<double>(t - now).count());
}

std::string fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

} // namespace

discord_emulator::discord_emulator(std::string token, std::string bot_id, int heartbeat_ms)
  : token_(std::move(token)), bot_id_(std::move(bot_id)), heartbeat_ms_(heartbeat_ms),
    http_([this](const emu_request& r) { return handle(r); }) {
  ws_server_handlers h;
  h.on_open = [this](const std::shared_ptr<ws_peer>& p) { on_open(p); };
  h.on_text = [this](const std::shared_ptr<ws_peer>& p, const std::string& t) { on_text(p, t); };
  h.on_close = [this](const std::shared_ptr<ws_peer>& p, int) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (current_ == p)
      current_.reset();
  };
  gateway_ = std::make_unique<ws_server>(std::move(h));
}

discord_emulator::~discord_emulator() {
  http_.stop();
  gateway_->stop();
  // Peers must go before the server's event loop does.
  current_.reset();
  gateway_.reset();
}

bool discord_emulator::authorised(const emu_request& r) const {
  auto i = r.headers.find("authorization");
  return i != r.headers.end() && i->second == "Bot " + token_;
}

emu_response discord_emulator::handle(const emu_request& r) {
  if (!authorised(r))
    return json_response(401, json{{"message", "401: Unauthorized"}, {"code", 0}});
  if (r.method == "GET" && r.path == "/users/@me")
    return json_response(200, json{{"id", bot_id_}, {"username", "andy"}, {"bot", true},
                                   {"discriminator", "0"}});
  if (r.method == "GET" && r.path == "/gateway/bot")
    return json_response(200, json{{"url", gateway_->url()},
                                   {"shards", 1},
                                   {"session_start_limit",
                                    {{"total", 1000}, {"remaining", 999},
                                     {"reset_after", 14400000}, {"max_concurrency", 1}}}});
  const std::string prefix = "/channels/";
  const std::string suffix = "/messages";
  if (r.method == "POST" && r.path.rfind(prefix, 0) == 0 && r.path.size() > prefix.size() + suffix.size()
      && r.path.compare(r.path.size() - suffix.size(), suffix.size(), suffix) == 0)
    return post_message(r, r.path.substr(prefix.size(),
                                         r.path.size() - prefix.size() - suffix.size()));
  return json_response(404, json{{"message", "404: Not Found"}, {"code", 0}});
}

emu_response discord_emulator::post_message(const emu_request& r, const std::string& channel) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto now = clock::now();
  if (now < global_until_) {
    ++violations_;
    auto res = json_response(429, json{{"message", "You are being rate limited."},
                                       {"retry_after", secs_until(global_until_, now)},
                                       {"global", true}});
    res.headers["X-RateLimit-Global"] = "true";
    res.headers["X-RateLimit-Scope"] = "global";
    return res;
  }
  if (bucket_limit_ > 0 || now < bucket_until_) {
    if (now >= bucket_until_ && bucket_limit_ > 0) {
      bucket_remaining_ = bucket_limit_;
      bucket_until_ = now + std::chrono::duration_cast<clock::duration>(
                              std::chrono::duration<double>(bucket_reset_));
    }
    if (bucket_remaining_ <= 0) {
      ++violations_;
      auto res = json_response(429, json{{"message", "You are being rate limited."},
                                         {"retry_after", secs_until(bucket_until_, now)},
                                         {"global", false}});
      res.headers["X-RateLimit-Scope"] = "user";
      res.headers["X-RateLimit-Bucket"] = "emu-bucket";
      return res;
    }
  }
  if (fail_retry_ >= 0) {
    auto retry = fail_retry_;
    fail_retry_ = -1;
    auto until = now + std::chrono::duration_cast<clock::duration>(
                         std::chrono::duration<double>(retry));
    auto res = json_response(429, json{{"message", "You are being rate limited."},
                                       {"retry_after", retry},
                                       {"global", fail_global_}});
    res.headers["Retry-After"] = std::to_string(static_cast<int>(std::ceil(retry)));
    if (fail_global_) {
      res.headers["X-RateLimit-Global"] = "true";
      res.headers["X-RateLimit-Scope"] = "global";
      global_until_ = until;
    } else {
      res.headers["X-RateLimit-Scope"] = "user";
      bucket_remaining_ = 0;
      bucket_until_ = until;
    }
    return res;
  }
  auto body = json::parse(r.body, nullptr, false);
  auto content = body.is_object() ? body.value("content", std::string{}) : std::string{};
  if (content.empty() || content.size() > 8000)
    return json_response(400, json{{"message", "Invalid Form Body"}, {"code", 50035}});
  // Discord counts characters; the texts of the tests are ASCII beyond that.
  size_t points = 0;
  for (unsigned char c : content)
    points += (c & 0xC0) != 0x80;
  if (points > 2000)
    return json_response(400, json{{"message", "Invalid Form Body"}, {"code", 50035}});
  if (bucket_limit_ > 0)
    --bucket_remaining_;
  sent_.push_back(discord_sent{channel, content, now});
  cv_.notify_all();
  auto res = json_response(200, json{{"id", std::to_string(++next_message_)},
                                     {"channel_id", channel},
                                     {"content", content}});
  if (bucket_limit_ > 0) {
    res.headers["X-RateLimit-Limit"] = std::to_string(bucket_limit_);
    res.headers["X-RateLimit-Remaining"] = std::to_string(std::max(bucket_remaining_, 0));
    res.headers["X-RateLimit-Reset-After"] = fixed3(secs_until(bucket_until_, now));
    res.headers["X-RateLimit-Bucket"] = "emu-bucket";
  }
  return res;
}

void discord_emulator::on_open(const std::shared_ptr<ws_peer>& p) {
  std::lock_guard<std::mutex> guard{mtx_};
  ++connections_;
  current_ = p;
  p->send(json{{"op", 10}, {"d", {{"heartbeat_interval", heartbeat_ms_}}}, {"s", nullptr},
               {"t", nullptr}}
            .dump());
  cv_.notify_all();
}

void discord_emulator::on_text(const std::shared_ptr<ws_peer>& p, const std::string& text) {
  auto msg = json::parse(text, nullptr, false);
  if (!msg.is_object() || !msg.value("op", json{}).is_number_integer()) {
    p->close(4002);
    return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  auto d = msg.value("d", json{});
  switch (msg["op"].get<int>()) {
    case 1:
      ++heartbeats_;
      if (acks_)
        p->send(json{{"op", 11}}.dump());
      break;
    case 2: {
      if (!d.is_object() || d.value("token", std::string{}) != token_) {
        p->close(4004);
        return;
      }
      ++identifies_;
      intents_ = d.value("intents", int64_t{0});
      session_id_ = "session-" + std::to_string(identifies_);
      log_.clear();
      seq_ = 0;
      current_ = p;
      auto ready = json{{"op", 0}, {"t", "READY"}, {"s", ++seq_},
                        {"d",
                         {{"v", 10},
                          {"session_id", session_id_},
                          {"resume_gateway_url", gateway_->url()},
                          {"user", {{"id", bot_id_}, {"username", "andy"}, {"bot", true}}},
                          {"guilds", {{{"id", "777"}, {"unavailable", true}}}}}}};
      p->send(ready.dump());
      // As with the GUILDS intent: the guild follows, with its channels.
      auto guild = json{{"op", 0}, {"t", "GUILD_CREATE"}, {"s", ++seq_},
                        {"d",
                         {{"id", "777"},
                          {"name", "Acme"},
                          {"channels", {{{"id", "555"}, {"name", "general"}, {"type", 0}}}}}}};
      log_.push_back(guild);
      p->send(guild.dump());
      break;
    }
    case 6: {
      if (!d.is_object() || d.value("session_id", std::string{}) != session_id_
          || d.value("token", std::string{}) != token_) {
        p->send(json{{"op", 9}, {"d", false}}.dump());
        return;
      }
      ++resumes_;
      current_ = p;
      auto after = d.value("seq", json{}).is_number_integer() ? d["seq"].get<int64_t>() : 0;
      for (auto& e : log_)
        if (e["s"].get<int64_t>() > after)
          p->send(e.dump());
      p->send(json{{"op", 0}, {"t", "RESUMED"}, {"s", ++seq_}, {"d", json::object()}}.dump());
      break;
    }
    default:
      break;
  }
  cv_.notify_all();
}

std::string discord_emulator::inject_message(const std::string& channel_id,
                                             const std::string& content,
                                             const std::string& author_id,
                                             const std::string& username,
                                             const std::string& guild_id) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto id = std::to_string(++next_message_);
  json d{{"id", id},
         {"channel_id", channel_id},
         {"author", {{"id", author_id}, {"username", username}, {"global_name", nullptr}}},
         {"content", content},
         {"timestamp", "2026-01-02T03:04:05.000000+00:00"},
         {"mentions", json::array()},
         {"attachments", json::array()},
         {"type", 0}};
  if (!guild_id.empty())
    d["guild_id"] = guild_id;
  auto e = json{{"op", 0}, {"t", "MESSAGE_CREATE"}, {"s", ++seq_}, {"d", d}};
  log_.push_back(e);
  if (current_)
    current_->send(e.dump());
  return id;
}

void discord_emulator::drop_connection() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (current_)
    current_->drop();
  current_.reset();
}

void discord_emulator::send_op(int op, json d) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (current_)
    current_->send(json{{"op", op}, {"d", d}, {"s", nullptr}, {"t", nullptr}}.dump());
}

void discord_emulator::close_with(int code) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (current_)
    current_->close(code);
  current_.reset();
}

void discord_emulator::set_heartbeat_ms(int ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  heartbeat_ms_ = ms;
}

void discord_emulator::set_acks(bool on) {
  std::lock_guard<std::mutex> guard{mtx_};
  acks_ = on;
}

void discord_emulator::set_bucket(int limit, double reset_after_secs) {
  std::lock_guard<std::mutex> guard{mtx_};
  bucket_limit_ = limit;
  bucket_reset_ = reset_after_secs;
  bucket_remaining_ = limit;
  bucket_until_ = {};
}

void discord_emulator::fail_next_send(double retry_after_secs, bool global) {
  std::lock_guard<std::mutex> guard{mtx_};
  fail_retry_ = retry_after_secs;
  fail_global_ = global;
}

bool discord_emulator::wait_sessions(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return identifies_ + resumes_ >= n; });
}

bool discord_emulator::wait_sent(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return sent_.size() >= n; });
}

std::vector<discord_sent> discord_emulator::sent() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return sent_;
}

size_t discord_emulator::identifies() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return identifies_;
}

size_t discord_emulator::resumes() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return resumes_;
}

size_t discord_emulator::connections() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return connections_;
}

size_t discord_emulator::heartbeats() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return heartbeats_;
}

size_t discord_emulator::violations() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return violations_;
}

int64_t discord_emulator::intents() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return intents_;
}

} // namespace pincer::emu
