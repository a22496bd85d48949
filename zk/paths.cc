// Kafka's ZooKeeper paths (ZkData.scala), built from the constants in paths.h.
#include "zk/paths.h"

#include <fmt/format.h>

namespace gregor::zk::paths {

std::vector<std::string> top_level_paths() {
  std::vector<std::string> out = {
      std::string(kConsumers),
      std::string(kBrokerIds),
      std::string(kBrokerTopics),
      std::string(kConfigChanges),
      std::string(kDeleteTopics),
      std::string(kBrokerSeqId),
      std::string(kIsrChangeNotification),
      std::string(kLatestProducerIdBlock),
      std::string(kLogDirEventNotification),
  };
  for (auto type : kConfigEntityTypes) out.push_back(fmt::format("{}/{}", kConfig, type));
  return out;
}

std::string broker_id_path(int32_t broker_id) { return fmt::format("{}/{}", kBrokerIds, broker_id); }
std::string topic_path(std::string_view topic) { return fmt::format("{}/{}", kBrokerTopics, topic); }
std::string topic_partitions_path(std::string_view topic) {
  return fmt::format("{}/partitions", topic_path(topic));
}
std::string partition_path(std::string_view topic, int32_t partition) {
  return fmt::format("{}/{}", topic_partitions_path(topic), partition);
}
std::string partition_state_path(std::string_view topic, int32_t partition) {
  return fmt::format("{}/state", partition_path(topic, partition));
}
std::string config_entity_path(std::string_view entity_type, std::string_view name) {
  return fmt::format("{}/{}/{}", kConfig, entity_type, name);
}
std::string topic_config_path(std::string_view topic) { return config_entity_path("topics", topic); }
std::string broker_config_path(std::string_view broker) { return config_entity_path("brokers", broker); }
std::string delete_topic_path(std::string_view topic) { return fmt::format("{}/{}", kDeleteTopics, topic); }

}  // namespace gregor::zk::paths
