// ControllerContext: the active controller's in-memory view of the cluster (Kafka's ControllerContext, §3.3).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "log/topic_partition.h"
#include "zk/kafka_zk_client.h"

namespace gregor::broker {

// The partition state znode as last read or written, with its zkVersion (the partition epoch).
struct LeaderIsrAndEpoch {
  zk::PartitionState state;
  int32_t zk_version = -1;
};

struct ControllerContext {
  int32_t epoch = 0;
  int32_t epoch_zk_version = -1;
  std::map<int32_t, zk::KafkaZkClient::BrokerAndEpoch> brokers;  // live (registered), incl. shutting down
  std::set<int32_t> shutting_down;
  std::map<std::string, std::string> topic_ids;
  std::map<log::TopicPartition, std::vector<int32_t>> assignment;  // replicas; head = preferred leader
  std::map<log::TopicPartition, LeaderIsrAndEpoch> leadership;
  std::set<std::string> topics_to_delete;
  std::set<std::string> deletion_started;

  // Kafka's liveBrokerIds: registered and not shutting down.
  std::set<int32_t> live_ids() const {
    std::set<int32_t> ids;
    for (const auto& [id, b] : brokers) {
      if (!shutting_down.count(id)) ids.insert(id);
    }
    return ids;
  }
  std::vector<int32_t> live_or_shutting_down_ids() const {
    std::vector<int32_t> ids;
    for (const auto& [id, b] : brokers) ids.push_back(id);
    return ids;
  }
  bool is_live(int32_t id) const { return brokers.count(id) && !shutting_down.count(id); }
  int64_t broker_epoch(int32_t id) const {
    auto it = brokers.find(id);
    return it == brokers.end() ? -1 : it->second.epoch;
  }
  bool has_topic(const std::string& topic) const { return topic_ids.count(topic) > 0; }
  std::vector<log::TopicPartition> partitions_of(const std::string& topic) const {
    std::vector<log::TopicPartition> out;
    for (auto it = assignment.lower_bound({topic, 0}); it != assignment.end() && it->first.topic == topic;
         ++it) {
      out.push_back(it->first);
    }
    return out;
  }
  std::vector<log::TopicPartition> partitions_on(int32_t broker) const {
    std::vector<log::TopicPartition> out;
    for (const auto& [tp, replicas] : assignment) {
      for (int32_t r : replicas) {
        if (r == broker) out.push_back(tp);
      }
    }
    return out;
  }
  void remove_topic(const std::string& topic) {
    for (const auto& tp : partitions_of(topic)) {
      assignment.erase(tp);
      leadership.erase(tp);
    }
    topic_ids.erase(topic);
    topics_to_delete.erase(topic);
    deletion_started.erase(topic);
  }
  void reset() { *this = ControllerContext{}; }
};

}  // namespace gregor::broker
