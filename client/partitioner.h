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
  // Not copyable: last_ points into this object's own map.
  DefaultPartitioner(const DefaultPartitioner&) = delete;
  DefaultPartitioner& operator=(const DefaultPartitioner&) = delete;

  // available: partitions with a leader (all of them when empty).
  int32_t partition(const std::string& topic, std::optional<std::span<const uint8_t>> key,
                    int32_t num_partitions, const std::vector<int32_t>& available);

  // The current sticky partition of `topic` for null keys, if one is chosen and still exists.
  std::optional<int32_t> sticky_partition(const std::string& topic, int32_t num_partitions) const;

  // A batch for the sticky partition filled up: the next null-key record picks a new one.
  void on_new_batch(const std::string& topic, int32_t previous_partition);

 private:
  using Sticky = std::pair<const std::string, int32_t>;
  int32_t pick(int32_t num_partitions, const std::vector<int32_t>& available, int32_t avoid);
  // The topic's entry (nullptr when absent), remembering the last one: a producer sends to one topic
  // many times in a row, and the map lookup compared its name for every record.
  Sticky* find(const std::string& topic) const;

  std::mt19937 rng_;
  // Per topic: the sticky partition, -1 when none is chosen. Entries are never erased, so the
  // cached pointer stays valid.
  mutable std::map<std::string, int32_t> sticky_;
  mutable Sticky* last_ = nullptr;
};

}  // namespace gregor::client
