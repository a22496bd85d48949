// DefaultPartitioner: Java's built-in partitioner (murmur2 for keys, sticky partition for null keys).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace gregor::client {

// Keyed records: toPositive(murmur2(key)) % num_partitions over all partitions, as Java's
// BuiltInPartitioner.partitionForKey (protocol.md §8.1) — an empty key is hashed too.
// Null keys: one "sticky" partition per topic, chosen at random among the available ones and
// kept until the producer reports that a batch for it was completed (KIP-480).
class DefaultPartitioner {
 public:
  explicit DefaultPartitioner(uint32_t seed = std::random_device{}()) : rng_(seed) {}

  // available: partitions with a leader (all of them when empty).
  int32_t partition(const std::string& topic, std::optional<std::span<const uint8_t>> key,
                    int32_t num_partitions, const std::vector<int32_t>& available);

  // The current sticky partition of `topic` for null keys, if one is chosen and still exists.
  std::optional<int32_t> sticky_partition(const std::string& topic, int32_t num_partitions) const;

  // A batch for the sticky partition filled up: the next null-key record picks a new one.
  void on_new_batch(const std::string& topic, int32_t previous_partition);

 private:
  int32_t pick(int32_t num_partitions, const std::vector<int32_t>& available, int32_t avoid);

  std::mt19937 rng_;
  std::map<std::string, int32_t> sticky_;
};

}  // namespace gregor::client
