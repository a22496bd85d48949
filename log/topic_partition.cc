// Parsing of partition directory names.
#include "log/topic_partition.h"

#include <charconv>

namespace gregor::log {

std::optional<TopicPartition> TopicPartition::from_dir_name(std::string_view name) {
  size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
  int32_t partition = 0;
  const char* first = name.data() + dash + 1;
  const char* last = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(first, last, partition);
  if (ec != std::errc() || ptr != last || partition < 0) return std::nullopt;
  return TopicPartition{std::string(name.substr(0, dash)), partition};
}

}  // namespace gregor::log
