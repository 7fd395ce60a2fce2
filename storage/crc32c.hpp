#pragma once

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
// stored records since record codec version 2. On x86-64 with SSE4.2 it runs
// on the CPU's crc32 instruction, several times faster than a table.

#include <cstddef>
#include <cstdint>

namespace pincer::crc32c {

/// The CRC-32C of `n` bytes at `p`, on the fastest path this CPU has.
uint32_t compute(const char* p, size_t n) noexcept;

/// The table-driven implementation (every CPU).
uint32_t software(const char* p, size_t n) noexcept;

/// The SSE4.2 implementation; call only when `hardware_available()`.
uint32_t hardware(const char* p, size_t n) noexcept;

/// Whether this CPU has the crc32 instruction.
bool hardware_available() noexcept;

} // namespace pincer::crc32c
