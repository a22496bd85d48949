// CRC-32C via ISA-L's crc32_iscsi, which computes the raw reflected CRC (no pre/post inversion).
#include "protocol/crc32c.h"

#include <isa-l/crc.h>

#include <algorithm>
#include <climits>

namespace gregor {

uint32_t crc32c_update(uint32_t state, const uint8_t* data, size_t size) {
  // ISA-L takes an int length: feed large buffers in chunks.
  while (size > 0) {
    size_t chunk = std::min<size_t>(size, 1u << 30);
    state = crc32_iscsi(const_cast<unsigned char*>(data), static_cast<int>(chunk), state);
    data += chunk;
    size -= chunk;
  }
  return state;
}

uint32_t crc32c(const uint8_t* data, size_t size) {
  return crc32c_final(crc32c_update(crc32c_init(), data, size));
}

}  // namespace gregor
