#include "actors/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include "events/sealed.hpp"

namespace pincer {

namespace {

constexpr size_t iv_size = 12;
constexpr size_t tag_size = 16;
constexpr const char* algorithm = "aes-256-gcm";

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2)
    return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string to_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> from_base64(std::string_view text) {
  if (text.empty() || text.size() % 4)
    return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(text.data()),
                           static_cast<int>(text.size()));
  if (n < 0)
    return std::nullopt;
  size_t pad = text.back() == '=' ? (text[text.size() - 2] == '=' ? 2 : 1) : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

/// AES-256-GCM: returns iv + ciphertext + tag.
std::string encrypt(const std::string& key, std::string_view plain, std::string_view aad) {
  auto iv = random_bytes(iv_size);
  std::string out(plain.size(), '\0');
  unsigned char tag[tag_size];
  int len = 0;
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free};
  auto u = [](auto* p) { return reinterpret_cast<unsigned char*>(const_cast<char*>(p)); };
  bool ok = ctx
            && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key.data()),
                                  u(iv.data())) == 1
            && EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad.data()),
                                 static_cast<int>(aad.size())) == 1
            && EVP_EncryptUpdate(ctx.get(), u(out.data()), &len, u(plain.data()),
                                 static_cast<int>(plain.size())) == 1
            && EVP_EncryptFinal_ex(ctx.get(), u(out.data()) + len, &len) == 1
            && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size, tag) == 1;
  if (!ok)
    throw std::runtime_error("AES-256-GCM encryption failed");
  return iv + out + std::string{reinterpret_cast<char*>(tag), tag_size};
}

/// Reverses `encrypt`; nullopt when the data was altered or the key is wrong.
std::optional<std::string> decrypt(const std::string& key, std::string_view sealed,
                                   std::string_view aad) {
  if (sealed.size() < iv_size + tag_size)
    return std::nullopt;
  auto iv = sealed.substr(0, iv_size);
  auto body = sealed.substr(iv_size, sealed.size() - iv_size - tag_size);
  std::string tag{sealed.substr(sealed.size() - tag_size)};
  std::string out(body.size(), '\0');
  int len = 0;
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free};
  auto u = [](auto* p) { return reinterpret_cast<unsigned char*>(const_cast<char*>(p)); };
  bool ok = ctx
            && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key.data()),
                                  u(iv.data())) == 1
            && EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad.data()),
                                 static_cast<int>(aad.size())) == 1
            && EVP_DecryptUpdate(ctx.get(), u(out.data()), &len, u(body.data()),
                                 static_cast<int>(body.size())) == 1
            && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size, u(tag.data())) == 1
            && EVP_DecryptFinal_ex(ctx.get(), u(out.data()) + len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return std::nullopt;
  }
  return out;
}

result<std::string> parse_master_key(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.size() == 2 * secret_key_size)
    if (auto k = from_hex(text))
      return *k;
  if (auto k = from_base64(text); k && k->size() == secret_key_size)
    return *k;
  return error{ec::validation_failed,
               "The master key must be 64 hex digits or the base64 form of 32 bytes."};
}

} // namespace

result<std::string> load_master_key(const std::string& data_dir) {
  if (auto env = std::getenv("PINCER_MASTER_KEY"); env && *env)
    return parse_master_key(env);
  namespace fs = std::filesystem;
  std::error_code err;
  fs::create_directories(data_dir, err);
  auto path = (fs::path{data_dir} / "master.key").string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    auto text = to_hex(random_bytes(secret_key_size)) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size())
              && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok)
      return error{ec::storage_failed, "cannot write the master key " + path};
    spdlog::info("created a new master key in {}", path);
  } else if (errno != EEXIST) {
    return error{ec::storage_failed, "cannot create the master key " + path};
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077))
    spdlog::warn("{} is readable by other users; it should have mode 0600", path);
  std::ifstream in{path};
  std::string text;
  if (!in || !std::getline(in, text))
    return error{ec::storage_failed, "cannot read the master key " + path};
  auto key = parse_master_key(text);
  if (!key)
    return error{ec::validation_failed, path + ": " + key.err().message};
  return key;
}

secret_box::secret_box(std::shared_ptr<event_store> store, std::string master_key)
  : store_(std::move(store)), master_(std::move(master_key)) {
  if (master_.size() != secret_key_size)
    throw std::invalid_argument("the master key must be 32 bytes");
}

secret_box::~secret_box() {
  OPENSSL_cleanse(master_.data(), master_.size());
}

std::string secret_box::key_id(const std::string& owner_id) {
  return "secret/" + owner_id;
}

result<std::string> secret_box::data_key(const std::string& owner_id, bool create) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto id = key_id(owner_id);
  if (auto wrapped = store_->key(id)) {
    auto key = decrypt(master_, *wrapped, id);
    if (!key || key->size() != secret_key_size)
      return error{ec::internal, "the data key of " + owner_id
                                   + " does not open with this master key"};
    return *key;
  }
  if (!create)
    return error{ec::not_found, "The secret's key has been erased."};
  auto key = random_bytes(secret_key_size);
  if (auto put = store_->put_key(id, encrypt(master_, key, id)); !put)
    return put.err();
  return key;
}

result<json> secret_box::seal(const std::string& owner_id, std::string_view plaintext) {
  auto key = data_key(owner_id, true);
  if (!key)
    return key.err();
  auto sealed = encrypt(*key, plaintext, owner_id);
  OPENSSL_cleanse(key->data(), key->size());
  return json{{sealed_marker, algorithm},
              {"iv", to_base64(sealed.substr(0, iv_size))},
              {"data", to_base64(sealed.substr(iv_size, sealed.size() - iv_size - tag_size))},
              {"tag", to_base64(sealed.substr(sealed.size() - tag_size))}};
}

result<std::string> secret_box::open(const std::string& owner_id, const json& sealed) const {
  auto field = [&](const char* name) -> std::optional<std::string> {
    auto i = sealed.is_object() ? sealed.find(name) : sealed.end();
    if (i == sealed.end() || !i->is_string())
      return std::nullopt;
    return from_base64(i->get<std::string>());
  };
  auto iv = field("iv"), data = field("data"), tag = field("tag");
  if (!is_sealed(sealed) || sealed[sealed_marker] != algorithm || !iv || !tag
      || iv->size() != iv_size || tag->size() != tag_size)
    return error{ec::validation_failed, "not a sealed secret"};
  auto key = data_key(owner_id, false);
  if (!key)
    return key.err();
  // An empty secret has no data (base64 of nothing is refused above).
  auto plain = decrypt(*key, *iv + data.value_or("") + *tag, owner_id);
  OPENSSL_cleanse(key->data(), key->size());
  if (!plain)
    return error{ec::validation_failed, "the sealed secret does not open"};
  return *plain;
}

result<unit> secret_box::forget(const std::string& owner_id) {
  std::lock_guard<std::mutex> guard{mtx_};
  return store_->erase_key(key_id(owner_id));
}

bool secret_box::knows(const std::string& owner_id) const {
  return store_->key(key_id(owner_id)).has_value();
}

} // namespace pincer
