#include "storage/keys.hpp"

#include <zlib.h>

#include "storage/crc32c.hpp"

namespace pincer::keys {

namespace {

void put_varint(std::string& out, uint64_t x) {
  while (x >= 0x80) {
    out.push_back(static_cast<char>((x & 0x7f) | 0x80));
    x >>= 7;
  }
  out.push_back(static_cast<char>(x));
}

bool read_varint(const char*& p, const char* end, uint32_t& x) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28 && p < end; shift += 7) {
    auto byte = static_cast<unsigned char>(*p++);
    result |= uint32_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) {
      x = result;
      return true;
    }
  }
  return false;
}

bool read_string(const char*& p, const char* end, std::string& out) {
  uint32_t n = 0;
  if (!read_varint(p, end, n) || static_cast<size_t>(end - p) < n)
    return false;
  out.assign(p, n);
  p += n;
  return true;
}

void put_string(std::string& out, const std::string& s) {
  put_varint(out, s.size());
  out.append(s);
}

/// zlib's CRC-32, the checksum of codec version 1 records.
uint32_t zlib_crc(const char* p, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    auto chunk = static_cast<uInt>(n > (1u << 30) ? (1u << 30) : n);
    c = crc32(c, reinterpret_cast<const Bytef*>(p), chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(c);
}

std::string prefixed(char prefix, std::string_view name, size_t extra) {
  std::string k;
  k.reserve(1 + name.size() + extra);
  k.push_back(prefix);
  k.append(name);
  return k;
}

constexpr size_t header_size = 1 + 4;                   // version, crc
constexpr size_t fixed_size = 8 + 4 + 8;                // versions, at

} // namespace

// -- integers -----------------------------------------------------------------

void put_be64(std::string& out, uint64_t x) {
  char buf[8];
  for (int i = 7; i >= 0; --i, x >>= 8)
    buf[i] = static_cast<char>(x & 0xff);
  out.append(buf, 8);
}

void put_be32(std::string& out, uint32_t x) {
  char buf[4];
  for (int i = 3; i >= 0; --i, x >>= 8)
    buf[i] = static_cast<char>(x & 0xff);
  out.append(buf, 4);
}

// -- keys ---------------------------------------------------------------------

std::string log_key(uint64_t seq) {
  std::string k;
  k.reserve(9);
  k.push_back(log_prefix);
  put_be64(k, seq);
  return k;
}

std::string stream_index_prefix(std::string_view stream) {
  auto k = prefixed(stream_prefix, stream, 9);
  k.push_back('\0');
  return k;
}

std::string stream_key(std::string_view stream, uint64_t version) {
  auto k = stream_index_prefix(stream);
  put_be64(k, version);
  return k;
}

std::string layout_key() {
  return prefixed(meta_prefix, "layout", 0);
}

std::string checkpoint_key(std::string_view projection) {
  return prefixed(checkpoint_prefix, projection, 0);
}

std::string row_key_prefix(std::string_view projection) {
  auto k = prefixed(row_prefix, projection, 1);
  k.push_back('\0');
  return k;
}

std::string row_key(std::string_view projection, std::string_view row) {
  auto k = row_key_prefix(projection);
  k.append(row);
  return k;
}

std::string key_store_key(std::string_view id) {
  return prefixed(key_prefix, id, 0);
}

std::string prefix_end(std::string_view prefix) {
  std::string k{prefix};
  while (!k.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(k.back());
    if (last != 0xff) {
      ++last;
      return k;
    }
    k.pop_back();
  }
  return k;
}

// -- record codec -------------------------------------------------------------

void encode_record(const record& r, std::string& out) {
  auto start = out.size();
  out.push_back(static_cast<char>(record_codec_version));
  put_be32(out, 0); // CRC placeholder
  put_be64(out, r.stream_version);
  put_be32(out, r.schema_version);
  put_be64(out, static_cast<uint64_t>(r.at));
  put_string(out, r.stream);
  put_string(out, r.type);
  put_string(out, r.actor);
  put_string(out, r.request_id);
  out.append(r.data);
  auto payload = start + header_size;
  auto sum = crc32c::compute(out.data() + payload, out.size() - payload);
  for (int i = 3; i >= 0; --i, sum >>= 8)
    out[start + 1 + i] = static_cast<char>(sum & 0xff);
}

bool decode_record(std::string_view value, record& out) {
  out.checksum_ok = false;
  auto version = value.empty() ? 0 : static_cast<uint8_t>(value[0]);
  if (value.size() < header_size + fixed_size
      || (version != record_codec_version && version != 1))
    return false;
  const char* p = value.data() + header_size;
  const char* end = value.data() + value.size();
  auto stored = be32(value.data() + 1);
  out.stream_version = be64(p);
  out.schema_version = be32(p + 8);
  out.at = static_cast<int64_t>(be64(p + 12));
  p += fixed_size;
  if (!read_string(p, end, out.stream) || !read_string(p, end, out.type)
      || !read_string(p, end, out.actor) || !read_string(p, end, out.request_id))
    return false;
  out.data.assign(p, static_cast<size_t>(end - p));
  auto payload = value.data() + header_size;
  auto size = value.size() - header_size;
  out.checksum_ok = (version == 1 ? zlib_crc(payload, size)
                                  : crc32c::compute(payload, size))
                    == stored;
  return true;
}

} // namespace pincer::keys
