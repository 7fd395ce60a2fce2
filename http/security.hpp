#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pincer::http {

/// Whether a client-sent `X-Request-Id` is acceptable: 1..128 characters of
/// `[A-Za-z0-9._:-]`.
bool valid_request_id(std::string_view id) noexcept;

/// The client's request id when valid, else a new UUID.
std::string choose_request_id(std::string_view client_id);

/// The audit name of an API key: `key:` + first 8 hex chars of its SHA-256.
std::string key_fingerprint(std::string_view key);

/// Whether a host name or address is a loopback one (`localhost`,
/// `127.0.0.0/8`, `::1`).
bool is_loopback(const std::string& host);

/// Whether a request skips API-key checks: `GET /api/v1/health` and the
/// provider webhooks.
bool auth_exempt(std::string_view method, std::string_view path) noexcept;

/// The configured API keys, held as SHA-256 digests and compared in
/// constant time.
class key_set {
public:
  explicit key_set(const std::vector<std::string>& keys);

  /// Whether auth is on (at least one key is configured).
  bool enabled() const noexcept {
    return !digests_.empty();
  }

  /// The actor name (`key:xxxxxxxx`) of a matching key, else nullopt. Every
  /// configured key is compared, whatever matches first.
  std::optional<std::string> match(std::string_view presented) const;

private:
  struct entry {
    std::array<unsigned char, 32> digest;
    std::string actor;
  };
  std::vector<entry> digests_;
};

} // namespace pincer::http
