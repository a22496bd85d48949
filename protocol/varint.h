// Kafka's zig-zag VARINT / VARLONG (protobuf style), the integer encoding inside RecordBatch v2 records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gregor::varint {

// Java's ByteUtils.readVarint/readVarlong reject longer encodings.
inline constexpr size_t kMaxVarintBytes = 5;
inline constexpr size_t kMaxVarlongBytes = 10;

constexpr uint32_t zigzag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
constexpr uint64_t zigzag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int32_t unzigzag32(uint32_t v) { return static_cast<int32_t>((v >> 1) ^ (0u - (v & 1u))); }
constexpr int64_t unzigzag64(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (0ull - (v & 1ull))); }

// Encoded size of an unsigned (already zig-zagged) value.
constexpr size_t unsigned_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
constexpr size_t size_of(int32_t v) { return unsigned_size(zigzag32(v)); }
constexpr size_t size_of_long(int64_t v) { return unsigned_size(zigzag64(v)); }

// Writes v to out (room for unsigned_size(v) bytes); returns the bytes written.
inline size_t write_unsigned(uint8_t* out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<uint8_t>(v);
  return n;
}

inline void append_unsigned(std::vector<uint8_t>& out, uint64_t v) {
  uint8_t tmp[kMaxVarlongBytes];
  size_t n = write_unsigned(tmp, v);
  out.insert(out.end(), tmp, tmp + n);
}
inline void append(std::vector<uint8_t>& out, int32_t v) { append_unsigned(out, zigzag32(v)); }
inline void append_long(std::vector<uint8_t>& out, int64_t v) { append_unsigned(out, zigzag64(v)); }

// Reads an unsigned varint of at most max_bytes bytes at in[pos]. On success advances pos and returns true;
// on truncated or over-long input returns false and leaves pos alone.
inline bool read_unsigned(std::span<const uint8_t> in, size_t& pos, size_t max_bytes, uint64_t& out) {
  uint64_t value = 0;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (pos + i >= in.size()) return false;
    uint8_t b = in[pos + i];
    value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      pos += i + 1;
      out = value;
      return true;
    }
  }
  return false;
}

inline bool read(std::span<const uint8_t> in, size_t& pos, int32_t& out) {
  uint64_t raw;
  if (!read_unsigned(in, pos, kMaxVarintBytes, raw)) return false;
  // Like Java, bits beyond 32 in the fifth byte are dropped.
  out = unzigzag32(static_cast<uint32_t>(raw));
  return true;
}

inline bool read_long(std::span<const uint8_t> in, size_t& pos, int64_t& out) {
  uint64_t raw;
  if (!read_unsigned(in, pos, kMaxVarlongBytes, raw)) return false;
  out = unzigzag64(raw);
  return true;
}

}  // namespace gregor::varint
