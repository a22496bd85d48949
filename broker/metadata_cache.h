// MetadataCache: live brokers, controller, topics with partition leaders/replicas/ISR — what Metadata answers from;
// fed by the controller's UpdateMetadata (control_plane_apis.h: apply_update_metadata).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gregor::broker {

struct BrokerEndpoint {
  std::string host;
  int32_t port = 0;
};

struct LiveBroker {
  int32_t id = -1;
  std::map<std::string, BrokerEndpoint> endpoints;  // by listener name
  std::optional<std::string> rack;
};

struct PartitionInfo {
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::vector<int32_t> offline_replicas;  // from UpdateMetadata (replicas on dead brokers or offline log dirs)
  int32_t zk_version = 0;  // partition epoch
};

struct TopicInfo {
  std::string topic_id;
  std::map<int32_t, PartitionInfo> partitions;
  std::map<std::string, std::string> config;  // overrides from /config/topics/<t>
  bool deleting = false;
};

inline constexpr const char* kConsumerOffsetsTopic = "__consumer_offsets";
inline constexpr const char* kTransactionStateTopic = "__transaction_state";

struct MetadataCache {
  std::string cluster_id;
  int32_t controller_id = -1;
  std::map<int32_t, LiveBroker> brokers;
  std::map<std::string, TopicInfo> topics;

  const TopicInfo* topic(const std::string& name) const {
    auto it = topics.find(name);
    return it == topics.end() || it->second.deleting ? nullptr : &it->second;
  }
  bool is_alive(int32_t broker_id) const { return brokers.count(broker_id) > 0; }
  static bool is_internal(const std::string& topic) {
    return topic == kConsumerOffsetsTopic || topic == kTransactionStateTopic;
  }
};

// Kafka's topic name rules: [a-zA-Z0-9._-], 1..249 chars, not "." or "..". Empty optional = valid.
std::optional<std::string> invalid_topic_name_reason(const std::string& name);

}  // namespace gregor::broker
