#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "events/envelope.hpp"
#include "events/error.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// Where the channels keep their secrets (bot tokens, app secrets): sealed
/// with AES-256-GCM under a data key per owner held in the store's key
/// store, so events carry only ciphertext; forgetting the owner erases the
/// key and every sealed copy becomes unreadable. Safe to use from any thread.
class channel_vault {
public:
  explicit channel_vault(std::shared_ptr<event_store> store);

  /// `{"sealed": "aes-256-gcm", "iv", "data", "tag"}` (base64 fields).
  result<json> seal(const std::string& owner, std::string_view plaintext);

  /// The plaintext of a sealed value; `not_found` once the owner is forgotten.
  result<std::string> open(const std::string& owner, const json& sealed) const;

  /// Erases the owner's data key; idempotent.
  result<unit> forget(const std::string& owner);

private:
  std::shared_ptr<event_store> store_;
};

} // namespace pincer
