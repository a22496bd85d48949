// TopicPartition: a (topic, partition) pair, ordered so it can key maps.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace gregor::client {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
  bool operator==(const TopicPartition&) const = default;
};

}  // namespace gregor::client
