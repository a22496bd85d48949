// CRC-32C (Castagnoli), the checksum of RecordBatch v2, computed with ISA-L.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gregor {

// Standard CRC-32C: crc32c("123456789") == 0xE3069283.
uint32_t crc32c(const uint8_t* data, size_t size);

// Incremental form: state starts at crc32c_init(), ends with crc32c_final(state).
constexpr uint32_t crc32c_init() { return 0xFFFFFFFFu; }
uint32_t crc32c_update(uint32_t state, const uint8_t* data, size_t size);
constexpr uint32_t crc32c_final(uint32_t state) { return ~state; }

}  // namespace gregor
