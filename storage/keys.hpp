#pragma once

// RocksDB key layout (storage layout version 2). Every key starts with one
// prefix byte; integers are big-endian so that byte order is numeric order.
//
//   'L' be64(seq)                        -> encoded record (the global log)
//   'S' stream '\0' be64(version)        -> be64(seq)      (stream index)
//   'M' "layout"                         -> be32(layout version)
//   'C' projection                       -> be64(checkpoint)
//   'P' projection '\0' row key          -> row value
//   'K' id                               -> key material
//
// Stream and projection names contain no NUL byte, so `name '\0'` is a prefix
// that no other name shares, and `name '\1'` is an exclusive upper bound.
//
// Encoded record (the value of an 'L' key; `seq` comes from the key):
//
//   u8   codec version (2; version 1 records, still read, carry zlib's CRC-32)
//   be32 CRC-32C of everything that follows
//   be64 stream_version
//   be32 schema_version
//   be64 at (two's complement)
//   4 x  varint length + bytes: stream, type, actor, request_id
//   the data JSON text, up to the end of the value

#include <cstdint>
#include <string>
#include <string_view>

#include "events/envelope.hpp"

namespace pincer::keys {

// -- prefixes -----------------------------------------------------------------

constexpr char log_prefix = 'L';
constexpr char stream_prefix = 'S';
constexpr char meta_prefix = 'M';
constexpr char checkpoint_prefix = 'C';
constexpr char row_prefix = 'P';
constexpr char key_prefix = 'K';

/// The codec version in the first byte of an encoded record. Version 2
/// checksums with CRC-32C; version 1 (zlib's CRC-32) is still decoded.
constexpr uint8_t record_codec_version = 2;

// -- integers -----------------------------------------------------------------

/// Appends `x` as 8 big-endian bytes.
void put_be64(std::string& out, uint64_t x);

/// Appends `x` as 4 big-endian bytes.
void put_be32(std::string& out, uint32_t x);

/// Reads 8 big-endian bytes.
inline uint64_t be64(const char* p) noexcept {
  auto u = reinterpret_cast<const unsigned char*>(p);
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i)
    x = (x << 8) | u[i];
  return x;
}

/// Reads 4 big-endian bytes.
inline uint32_t be32(const char* p) noexcept {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8)
         | uint32_t{u[3]};
}

// -- keys ---------------------------------------------------------------------

/// `'L' be64(seq)`.
std::string log_key(uint64_t seq);

/// `'S' stream '\0'`: the prefix of every index key of one stream.
std::string stream_index_prefix(std::string_view stream);

/// `'S' stream '\0' be64(version)`.
std::string stream_key(std::string_view stream, uint64_t version);

/// `'M' "layout"`.
std::string layout_key();

/// `'C' projection`.
std::string checkpoint_key(std::string_view projection);

/// `'P' projection '\0'`: the prefix of every row key of one projection.
std::string row_key_prefix(std::string_view projection);

/// `'P' projection '\0' row`.
std::string row_key(std::string_view projection, std::string_view row);

/// `'K' id`.
std::string key_store_key(std::string_view id);

/// The smallest key greater than every key starting with `prefix` (the
/// prefix with its last byte below 0xff incremented); empty if none.
std::string prefix_end(std::string_view prefix);

// -- record codec -------------------------------------------------------------

/// Appends the encoded form of `r` (all fields but `seq` and `checksum_ok`).
void encode_record(const record& r, std::string& out);

/// Decodes a value into `out`, reusing its string buffers; `seq` is left
/// alone. Sets `checksum_ok` to whether the stored checksum matched. Returns
/// false when the value is malformed or of an unknown codec version (then
/// `checksum_ok` is false too).
bool decode_record(std::string_view value, record& out);

} // namespace pincer::keys
