#pragma once

#include <string>

#include <zlib.h>

#include "storage/keys.hpp"

namespace pincer::test {

/// `encoded`, a record of the current codec, rewritten as codec version 1
/// wrote it: version byte 1 and zlib's CRC-32 over the same payload.
inline std::string as_codec_version_1(std::string encoded) {
  encoded[0] = 1;
  auto sum = static_cast<uint32_t>(crc32(
    crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(encoded.data() + 5),
    static_cast<uInt>(encoded.size() - 5)));
  std::string be;
  keys::put_be32(be, sum);
  encoded.replace(1, 4, be);
  return encoded;
}

} // namespace pincer::test
