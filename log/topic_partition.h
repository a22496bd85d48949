// TopicPartition: the (topic, partition) pair that names one log.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gregor::log {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;

  // "topic-partition", also the name of the partition's directory.
  std::string to_string() const { return topic + "-" + std::to_string(partition); }

  // Parses a directory name by its last '-' (topics may contain '-'); nullopt if it is not one.
  static std::optional<TopicPartition> from_dir_name(std::string_view name);
};

}  // namespace gregor::log

template <>
struct std::hash<gregor::log::TopicPartition> {
  size_t operator()(const gregor::log::TopicPartition& tp) const noexcept {
    return std::hash<std::string>{}(tp.topic) * 31 + std::hash<int32_t>{}(tp.partition);
  }
};
