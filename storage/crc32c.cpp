#include "storage/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace pincer::crc32c {

namespace {

constexpr uint32_t polynomial = 0x82F63B78u;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? (c >> 1) ^ polynomial : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr auto table = make_table();

} // namespace

uint32_t software(const char* p, size_t n) noexcept {
  uint32_t c = ~0u;
  auto u = reinterpret_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i)
    c = table[(c ^ u[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

#if defined(__x86_64__)

__attribute__((target("sse4.2"))) uint32_t hardware(const char* p,
                                                    size_t n) noexcept {
  uint64_t c = ~0u;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
  }
  auto c32 = static_cast<uint32_t>(c);
  for (; n > 0; ++p, --n)
    c32 = _mm_crc32_u8(c32, static_cast<unsigned char>(*p));
  return ~c32;
}

bool hardware_available() noexcept {
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}

#else

uint32_t hardware(const char* p, size_t n) noexcept {
  return software(p, n);
}

bool hardware_available() noexcept {
  return false;
}

#endif

uint32_t compute(const char* p, size_t n) noexcept {
  return hardware_available() ? hardware(p, n) : software(p, n);
}

} // namespace pincer::crc32c
