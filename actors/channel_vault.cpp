#include "actors/channel_vault.hpp"

#include <memory>
#include <mutex>
#include <optional>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace pincer {

namespace {

std::mutex key_mutex;

std::string key_id(const std::string& owner) {
  return "channel-key/" + owner;
}

std::string base64(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(raw.data()),
                           static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> unbase64(const std::string& text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(text.data()),
                           static_cast<int>(text.size()));
  if (n < 0)
    return std::nullopt;
  size_t pad = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '=' && pad < 2; --i)
    ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

} // namespace

channel_vault::channel_vault(std::shared_ptr<event_store> store) : store_(std::move(store)) {
}

result<json> channel_vault::seal(const std::string& owner, std::string_view plaintext) {
  std::string key;
  {
    std::lock_guard<std::mutex> guard{key_mutex};
    auto existing = store_->key(key_id(owner));
    if (existing && existing->size() == 32) {
      key = *existing;
    } else {
      key = random_bytes(32);
      if (auto ok = store_->put_key(key_id(owner), key); !ok)
        return ok.err();
    }
  }
  auto iv = random_bytes(12);
  std::string data(plaintext.size(), '\0');
  std::string tag(16, '\0');
  cipher_ctx ctx{EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free};
  int len = 0;
  auto u = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  auto aad = key_id(owner);
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key), u(iv)) == 1
            && EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) == 1
            && EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(data.data()), &len,
                                 reinterpret_cast<const unsigned char*>(plaintext.data()),
                                 static_cast<int>(plaintext.size())) == 1
            && EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) == 1
            && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data()) == 1;
  if (!ok)
    return error{ec::internal, "cannot seal a secret"};
  return json{{"sealed", "aes-256-gcm"}, {"iv", base64(iv)}, {"data", base64(data)},
              {"tag", base64(tag)}};
}

result<std::string> channel_vault::open(const std::string& owner, const json& sealed) const {
  auto key = store_->key(key_id(owner));
  if (!key || key->size() != 32)
    return error{ec::not_found, "the secret has been forgotten"};
  if (!sealed.is_object() || sealed.value("sealed", "") != "aes-256-gcm")
    return invalid("sealed", "not a sealed secret");
  auto field = [&](const char* name) -> std::optional<std::string> {
    auto i = sealed.find(name);
    if (i == sealed.end() || !i->is_string())
      return std::nullopt;
    return unbase64(i->get<std::string>());
  };
  auto iv = field("iv");
  auto data = field("data");
  auto tag = field("tag");
  if (!iv || !data || !tag || iv->size() != 12 || tag->size() != 16)
    return invalid("sealed", "not a sealed secret");
  std::string plain(data->size(), '\0');
  cipher_ctx ctx{EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free};
  int len = 0;
  auto u = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  auto aad = key_id(owner);
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(*key), u(*iv)) == 1
            && EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) == 1
            && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                                 u(*data), static_cast<int>(data->size())) == 1
            && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag->data()) == 1
            && EVP_DecryptFinal_ex(ctx.get(), nullptr, &len) == 1;
  if (!ok)
    return invalid("sealed", "the sealed secret does not verify");
  return plain;
}

result<unit> channel_vault::forget(const std::string& owner) {
  std::lock_guard<std::mutex> guard{key_mutex};
  return store_->erase_key(key_id(owner));
}

} // namespace pincer
