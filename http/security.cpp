#include "http/security.hpp"

#include <algorithm>

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "events/time.hpp"

namespace pincer::http {

namespace {

std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         out.data());
  return out;
}

bool request_id_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':'
         || c == '-';
}

} // namespace

bool valid_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128)
    return false;
  for (char c : id)
    if (!request_id_char(c))
      return false;
  return true;
}

std::string choose_request_id(std::string_view client_id) {
  return valid_request_id(client_id) ? std::string{client_id} : make_uuid();
}

std::string key_fingerprint(std::string_view key) {
  static constexpr char hex[] = "0123456789abcdef";
  auto digest = sha256(key);
  std::string out = "key:";
  for (size_t i = 0; i < 4; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0x0f]);
  }
  return out;
}

bool is_loopback(const std::string& host) {
  if (host == "localhost")
    return true;
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1)
    return buf[0] == 127;
  auto h = host;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']')
    h = h.substr(1, h.size() - 2);
  if (inet_pton(AF_INET6, h.c_str(), buf) == 1) {
    static const unsigned char v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                  0, 0, 0, 0, 0, 0, 0, 1};
    if (std::equal(buf, buf + 16, v6_loopback))
      return true;
    // IPv4-mapped ::ffff:127.x.y.z
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, 0xff, 0xff};
    return std::equal(buf, buf + 12, mapped) && buf[12] == 127;
  }
  return false;
}

bool auth_exempt(std::string_view method, std::string_view path) noexcept {
  if (method == "GET" && path == "/api/v1/health")
    return true;
  return path == "/api/v1/channels/whatsapp/webhook"
         || path == "/api/v1/channels/slack/events";
}

key_set::key_set(const std::vector<std::string>& keys) {
  for (auto& k : keys)
    if (!k.empty())
      digests_.push_back(entry{sha256(k), key_fingerprint(k)});
}

std::optional<std::string> key_set::match(std::string_view presented) const {
  auto digest = sha256(presented);
  const entry* found = nullptr;
  for (auto& e : digests_)
    if (CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) == 0)
      found = &e;
  if (found == nullptr)
    return std::nullopt;
  return found->actor;
}

} // namespace pincer::http
