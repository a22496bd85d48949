// Implementations of Kafka's murmur2, Java String.hashCode over UTF-16, and zlib CRC-32.
#include "protocol/hash.h"

#include <zlib.h>

#include <algorithm>

namespace gregor {
namespace {

// Decodes one UTF-8 sequence at s[i]. A malformed sequence becomes one U+FFFD per "maximal subpart"
// (Unicode's recommended practice, which Java's decoder follows): the lead byte plus the continuation
// bytes that were still valid.
char32_t next_code_point(std::string_view s, size_t& i) {
  constexpr char32_t kReplacement = 0xFFFD;
  const uint8_t b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    ++i;
    return kReplacement;
  }
  char32_t cp = b0 & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      i += k;
      return kReplacement;
    }
    const uint8_t b = static_cast<uint8_t>(s[i + k]);
    const bool ok = k == 1 ? (b >= lo && b <= hi) : (b & 0xC0) == 0x80;
    if (!ok) {
      i += k;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

}  // namespace

int32_t murmur2(std::span<const uint8_t> data) {
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const size_t length = data.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t blocks = length / 4;
  for (size_t i = 0; i < blocks; ++i) {
    const uint8_t* p = data.data() + 4 * i;
    uint32_t k = static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
                 (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const uint8_t* tail = data.data() + 4 * blocks;
  switch (length % 4) {
    case 3:
      h ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= tail[0];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t partition_for_key(std::span<const uint8_t> key, int32_t num_partitions) {
  return to_positive(murmur2(key)) % num_partitions;
}

int32_t java_string_hash(std::string_view utf8) {
  uint32_t h = 0;
  auto mix = [&h](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < utf8.size();) {
    char32_t cp = next_code_point(utf8, i);
    if (cp >= 0x10000) {
      // Supplementary characters are a surrogate pair in Java's UTF-16 strings.
      cp -= 0x10000;
      mix(0xD800 + (cp >> 10));
      mix(0xDC00 + (cp & 0x3FF));
    } else {
      mix(cp);
    }
  }
  return static_cast<int32_t>(h);
}

int32_t partition_for_group(std::string_view group_id, int32_t num_partitions) {
  return java_abs(java_string_hash(group_id)) % num_partitions;
}

uint32_t crc32_ieee(std::span<const uint8_t> data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const uint8_t* p = data.data();
  size_t left = data.size();
  // zlib takes uInt lengths.
  while (left > 0) {
    uInt n = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
    crc = crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(crc);
}

int32_t librdkafka_consistent_partition(std::span<const uint8_t> key, int32_t num_partitions) {
  return static_cast<int32_t>(crc32_ieee(key) % static_cast<uint32_t>(num_partitions));
}

}  // namespace gregor
