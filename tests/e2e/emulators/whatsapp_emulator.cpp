#include "tests/e2e/emulators/whatsapp_emulator.hpp"

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace pincer::emu {

namespace {

emu_response answer(int status, const json& body) {
  emu_response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

emu_response graph_error(int status, int code, const std::string& message,
                         const std::string& type = "OAuthException") {
  return answer(status, json{{"error", {{"message", message},
                                        {"type", type},
                                        {"code", code},
                                        {"fbtrace_id", "AbCdEf123"}}}});
}

size_t code_points(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

} // namespace

whatsapp_emulator::whatsapp_emulator(std::string version)
  : version_(std::move(version)), server_([this](const emu_request& r) { return handle(r); }) {
}

whatsapp_emulator::~whatsapp_emulator() {
  server_.stop();
}

std::string whatsapp_emulator::url() const {
  return server_.url() + "/" + version_;
}

void whatsapp_emulator::add_token(const std::string& token) {
  std::lock_guard<std::mutex> guard{mtx_};
  tokens_.push_back(token);
}

void whatsapp_emulator::add_phone_number(const std::string& id, const std::string& display,
                                         const std::string& verified_name) {
  std::lock_guard<std::mutex> guard{mtx_};
  numbers_[id] = {display, verified_name};
}

std::vector<whatsapp_sent> whatsapp_emulator::sent() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return sent_;
}

bool whatsapp_emulator::wait_sent(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return sent_.size() >= n; });
}

json whatsapp_emulator::text_delivery(const std::string& phone_number_id, const std::string& from,
                                      const std::string& name, const std::string& message_id,
                                      const std::string& text) {
  return json{
    {"object", "whatsapp_business_account"},
    {"entry",
     {{{"id", "102290129340398"},
       {"changes",
        {{{"field", "messages"},
          {"value",
           {{"messaging_product", "whatsapp"},
            {"metadata", {{"display_phone_number", "15550783881"},
                          {"phone_number_id", phone_number_id}}},
            {"contacts", {{{"profile", {{"name", name}}}, {"wa_id", from}}}},
            {"messages", {{{"from", from},
                           {"id", message_id},
                           {"timestamp", "1749416383"},
                           {"type", "text"},
                           {"text", {{"body", text}}}}}}}}}}}}}}};
}

std::string whatsapp_emulator::signature(const std::string& app_secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), app_secret.data(), static_cast<int>(app_secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(hex[mac[i] >> 4]);
    out.push_back(hex[mac[i] & 0xF]);
  }
  return out;
}

emu_response whatsapp_emulator::handle(const emu_request& r) {
  auto prefix = "/" + version_ + "/";
  if (r.path.rfind(prefix, 0) != 0)
    return graph_error(400, 2500, "Unknown path components", "OAuthException");
  auto rest = r.path.substr(prefix.size());
  auto auth = r.headers.count("authorization") ? r.headers.at("authorization") : std::string{};
  std::lock_guard<std::mutex> guard{mtx_};
  bool authorised = auth.rfind("Bearer ", 0) == 0
                    && std::find(tokens_.begin(), tokens_.end(), auth.substr(7)) != tokens_.end();
  if (!authorised)
    return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token");
  auto slash = rest.find('/');
  auto id = rest.substr(0, slash);
  auto number = numbers_.find(id);
  if (number == numbers_.end())
    return graph_error(400, 100,
                       "Unsupported get request. Object with ID '" + id + "' does not exist",
                       "GraphMethodException");
  if (slash == std::string::npos && r.method == "GET")
    return answer(200, json{{"id", id},
                            {"display_phone_number", number->second.first},
                            {"verified_name", number->second.second},
                            {"quality_rating", "GREEN"}});
  if (rest.substr(slash + 1) != "messages" || r.method != "POST")
    return graph_error(400, 100, "Unsupported request", "GraphMethodException");
  auto body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || body.value("messaging_product", "") != "whatsapp")
    return graph_error(400, 100, "The parameter messaging_product is required.");
  if (!body.value("to", json{}).is_string())
    return graph_error(400, 100, "The parameter to is required.");
  if (body.value("type", "") != "text" || !body.contains("text") || !body["text"].is_object()
      || !body["text"].value("body", json{}).is_string())
    return graph_error(400, 131008, "Required parameter is missing", "OAuthException");
  auto text = body["text"]["body"].get<std::string>();
  if (code_points(text) > 4096)
    return graph_error(400, 100, "Param text['body'] must be at most 4096 characters long.");
  auto to = body["to"].get<std::string>();
  sent_.push_back(whatsapp_sent{id, to, text});
  cv_.notify_all();
  return answer(200, json{{"messaging_product", "whatsapp"},
                          {"contacts", {{{"input", to}, {"wa_id", to}}}},
                          {"messages", {{{"id", "wamid.EMU" + std::to_string(next_id_++)}}}}});
}

} // namespace pincer::emu
