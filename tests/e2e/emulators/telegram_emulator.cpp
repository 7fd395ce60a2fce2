#include "tests/e2e/emulators/telegram_emulator.hpp"

#include <algorithm>

namespace pincer::emu {

namespace {

emu_response answer(int status, const json& body) {
  emu_response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

emu_response telegram_error(int code, const std::string& description) {
  return answer(code, json{{"ok", false}, {"error_code", code}, {"description", description}});
}

size_t code_points(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

int64_t int_param(const json& params, const char* key, int64_t fallback) {
  if (!params.contains(key))
    return fallback;
  auto& v = params[key];
  if (v.is_number_integer())
    return v.get<int64_t>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (const std::exception&) {
    }
  }
  return fallback;
}

} // namespace

telegram_emulator::telegram_emulator()
  : server_([this](const emu_request& r) { return handle(r); }) {
}

telegram_emulator::~telegram_emulator() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  cv_.notify_all();
  server_.stop();
}

void telegram_emulator::add_bot(const std::string& token, int64_t id,
                                const std::string& username) {
  std::lock_guard<std::mutex> guard{mtx_};
  bots_[token] = {id, username};
}

int64_t telegram_emulator::inject_message(int64_t chat_id, const std::string& text,
                                          int64_t from_id, const std::string& from_name,
                                          const std::string& chat_type,
                                          std::optional<int64_t> message_id) {
  int64_t mid;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    mid = message_id ? *message_id : next_message_++;
  }
  json chat{{"id", chat_id}, {"type", chat_type}};
  if (chat_type == "private")
    chat["first_name"] = from_name;
  else
    chat["title"] = "Team chat";
  json msg{{"message_id", mid},
           {"date", 1700000000},
           {"chat", chat},
           {"from", {{"id", from_id}, {"is_bot", false}, {"first_name", from_name}}},
           {"text", text}};
  return inject_update(json{{"message", msg}});
}

int64_t telegram_emulator::inject_update(json update) {
  int64_t id;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    id = next_update_++;
    update["update_id"] = id;
    updates_.push_back(std::move(update));
  }
  cv_.notify_all();
  return id;
}

void telegram_emulator::fail_sends(int n, int retry_after_secs) {
  std::lock_guard<std::mutex> guard{mtx_};
  fail_sends_ = n;
  retry_after_ = retry_after_secs;
}

void telegram_emulator::set_down(bool down) {
  std::lock_guard<std::mutex> guard{mtx_};
  down_ = down;
}

std::vector<telegram_sent> telegram_emulator::sent() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return sent_;
}

std::vector<std::chrono::steady_clock::time_point> telegram_emulator::refused() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return refused_;
}

bool telegram_emulator::wait_sent(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return sent_.size() >= n; });
}

std::vector<int64_t> telegram_emulator::offsets() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return offsets_;
}

bool telegram_emulator::wait_offset(int64_t offset, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] {
    return std::any_of(offsets_.begin(), offsets_.end(), [&](int64_t o) { return o >= offset; });
  });
}

std::vector<int64_t> telegram_emulator::delivered() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return delivered_;
}

emu_response telegram_emulator::handle(const emu_request& r) {
  // `/bot<token>/<method>`
  if (r.path.rfind("/bot", 0) != 0)
    return telegram_error(404, "Not Found");
  auto slash = r.path.find('/', 4);
  if (slash == std::string::npos)
    return telegram_error(404, "Not Found");
  auto token = r.path.substr(4, slash - 4);
  auto method = r.path.substr(slash + 1);
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  json params = json::object();
  for (auto& [k, v] : r.query)
    params[k] = v;
  if (!r.body.empty()) {
    auto body = json::parse(r.body, nullptr, false);
    if (body.is_object())
      for (auto& [k, v] : body.items())
        params[k] = v;
  }
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!bots_.count(token))
      return telegram_error(401, "Unauthorized");
  }
  if (method == "getme") {
    std::lock_guard<std::mutex> guard{mtx_};
    auto& bot = bots_[token];
    return answer(200, json{{"ok", true},
                            {"result", {{"id", bot.first},
                                        {"is_bot", true},
                                        {"first_name", "Andy"},
                                        {"username", bot.second},
                                        {"can_join_groups", true},
                                        {"can_read_all_group_messages", false},
                                        {"supports_inline_queries", false}}}});
  }
  if (method == "sendmessage")
    return send_message(token, params);
  if (method == "getupdates")
    return get_updates(token, params);
  return telegram_error(404, "Not Found: method not found");
}

emu_response telegram_emulator::send_message(const std::string& token, const json& params) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (down_) {
    refused_.push_back(std::chrono::steady_clock::now());
    emu_response r;
    r.status = 502;
    r.content_type = "text/html";
    r.body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    return r;
  }
  if (fail_sends_ > 0) {
    --fail_sends_;
    refused_.push_back(std::chrono::steady_clock::now());
    auto r = answer(429, json{{"ok", false},
                              {"error_code", 429},
                              {"description", "Too Many Requests: retry after "
                                                + std::to_string(retry_after_)},
                              {"parameters", {{"retry_after", retry_after_}}}});
    return r;
  }
  if (!params.contains("chat_id"))
    return telegram_error(400, "Bad Request: chat_id is empty");
  auto text = params.value("text", std::string{});
  if (text.empty())
    return telegram_error(400, "Bad Request: message text is empty");
  if (code_points(text) > 4096)
    return telegram_error(400, "Bad Request: message is too long");
  sent_.push_back(telegram_sent{token, params["chat_id"], text, std::chrono::steady_clock::now()});
  cv_.notify_all();
  return answer(200, json{{"ok", true},
                          {"result", {{"message_id", next_message_++},
                                      {"date", 1700000000},
                                      {"chat", {{"id", params["chat_id"]}, {"type", "private"}}},
                                      {"text", text}}}});
}

emu_response telegram_emulator::get_updates(const std::string&, const json& params) {
  auto offset = int_param(params, "offset", 0);
  auto timeout = std::clamp<int64_t>(int_param(params, "timeout", 0), 0, 50);
  std::unique_lock<std::mutex> lock{mtx_};
  offsets_.push_back(offset);
  cv_.notify_all();
  // Confirms every update below the offset.
  updates_.erase(std::remove_if(updates_.begin(), updates_.end(),
                                [&](const json& u) { return u["update_id"].get<int64_t>() < offset; }),
                 updates_.end());
  cv_.wait_for(lock, std::chrono::seconds{timeout}, [&] { return stopping_ || !updates_.empty(); });
  json result = json::array();
  for (auto& u : updates_) {
    result.push_back(u);
    delivered_.push_back(u["update_id"].get<int64_t>());
  }
  return answer(200, json{{"ok", true}, {"result", result}});
}

} // namespace pincer::emu
