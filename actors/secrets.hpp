#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "events/envelope.hpp"
#include "events/error.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// Size in bytes of the master key and of every data key (AES-256).
constexpr size_t secret_key_size = 32;

/// The master key: `PINCER_MASTER_KEY` (64 hex digits, or base64 of 32
/// bytes) when set, else `<data_dir>/master.key`, created with mode 0600 and a
/// random key on first use. Fails with `validation_failed` on a malformed key.
result<std::string> load_master_key(const std::string& data_dir);

/// Secrets at rest. Each owner (a proxy mapping, a channel) has its own data
/// key, kept in the store's key store wrapped by the master key; secrets are
/// sealed with it (AES-256-GCM, the owner id as associated data) into a JSON
/// object that events may carry and display forms show as `[redacted]`.
/// Forgetting an owner erases its data key, which makes every sealed copy
/// unreadable (crypto-shredding). Safe to use from any thread.
class secret_box {
public:
  /// `master_key` must be `secret_key_size` bytes.
  secret_box(std::shared_ptr<event_store> store, std::string master_key);

  ~secret_box();

  /// Encrypts `plaintext` with the owner's data key (created on first use):
  /// `{"sealed": "aes-256-gcm", "iv", "data", "tag"}` (base64 fields).
  result<json> seal(const std::string& owner_id, std::string_view plaintext);

  /// Decrypts what `seal` made for the same owner. Fails with `not_found`
  /// once the owner is forgotten, `validation_failed` for a malformed or
  /// tampered value.
  result<std::string> open(const std::string& owner_id, const json& sealed) const;

  /// Erases the owner's data key; idempotent.
  result<unit> forget(const std::string& owner_id);

  /// Whether the owner has a data key.
  bool knows(const std::string& owner_id) const;

  /// The key-store id of an owner's data key.
  static std::string key_id(const std::string& owner_id);

private:
  result<std::string> data_key(const std::string& owner_id, bool create) const;

  std::shared_ptr<event_store> store_;
  std::string master_;
  mutable std::mutex mtx_;
};

} // namespace pincer
