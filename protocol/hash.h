// Kafka's hash functions: murmur2 key partitioning, Java String.hashCode group placement, CRC-32 (§8).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace gregor {

// Java Utils.murmur2 (MurmurHash2, seed 0x9747b28c), as a signed int32 like Java.
int32_t murmur2(std::span<const uint8_t> data);

// Java Utils.toPositive: clears the sign bit (not abs).
constexpr int32_t to_positive(int32_t v) { return v & 0x7fffffff; }

// Java Utils.abs: |v|, with INT32_MIN mapped to 0 instead of overflowing.
constexpr int32_t java_abs(int32_t v) { return v == INT32_MIN ? 0 : (v < 0 ? -v : v); }

// Java's default partitioner for keyed records: toPositive(murmur2(key)) % num_partitions.
int32_t partition_for_key(std::span<const uint8_t> key, int32_t num_partitions);

// Java String.hashCode of a UTF-8 string: 31*h + c over UTF-16 code units. Malformed UTF-8 is hashed as
// U+FFFD per maximal bad subsequence, as Java's decoder substitutes it.
int32_t java_string_hash(std::string_view utf8);

// __consumer_offsets (or __transaction_state) partition of a group (or transactional) id:
// Utils.abs(id.hashCode()) % num_partitions.
int32_t partition_for_group(std::string_view group_id, int32_t num_partitions);

// CRC-32 (IEEE, zlib): crc32_ieee("123456789") == 0xCBF43926.
uint32_t crc32_ieee(std::span<const uint8_t> data);

// librdkafka's default "consistent" partitioner for a non-empty key: crc32_ieee(key) % num_partitions.
int32_t librdkafka_consistent_partition(std::span<const uint8_t> key, int32_t num_partitions);

}  // namespace gregor
