// Metadata (key 3): brokers, controller, topics and partition leaders (protocol.md §5.4).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct MetadataRequest {
  struct MetadataRequestTopic {
    std::string name;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
    }
    bool operator==(const MetadataRequestTopic&) const = default;
  };

  // v1+: null = all topics, empty = none. v0 has no null: an empty array means all
  // topics, and null is written as empty. Use wants_all_topics() rather than testing null.
  std::optional<std::vector<MetadataRequestTopic>> topics;
  bool allow_auto_topic_creation = true;  // always true below v4
  bool include_cluster_authorized_operations = false;
  bool include_topic_authorized_operations = false;

  template <class Io>
  void serde(Io& io) {
    io.field(topics, 0, INT16_MAX, 1);
    io.field(allow_auto_topic_creation, 4);
    io.field(include_cluster_authorized_operations, 8, 10);
    io.field(include_topic_authorized_operations, 8);
  }
  bool wants_all_topics(int16_t version) const { return !topics || (version == 0 && topics->empty()); }
  GREGOR_MESSAGE_API(MetadataRequest, ApiKey::Metadata);
};

struct MetadataResponse {
  struct MetadataResponseBroker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;

    template <class Io>
    void serde(Io& io) {
      io.field(node_id);
      io.field(host);
      io.field(port);
      io.field(rack, 1);
    }
    bool operator==(const MetadataResponseBroker&) const = default;
  };
  struct MetadataResponsePartition {
    int16_t error_code = 0;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = -1;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;

    template <class Io>
    void serde(Io& io) {
      io.field(error_code);
      io.field(partition_index);
      io.field(leader_id);
      io.field(leader_epoch, 7);
      io.field(replica_nodes);
      io.field(isr_nodes);
      io.field(offline_replicas, 5);
    }
    bool operator==(const MetadataResponsePartition&) const = default;
  };
  struct MetadataResponseTopic {
    int16_t error_code = 0;
    std::string name;
    bool is_internal = false;
    std::vector<MetadataResponsePartition> partitions;
    int32_t topic_authorized_operations = INT32_MIN;

    template <class Io>
    void serde(Io& io) {
      io.field(error_code);
      io.field(name);
      io.field(is_internal, 1);
      io.field(partitions);
      io.field(topic_authorized_operations, 8);
    }
    bool operator==(const MetadataResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<MetadataResponseBroker> brokers;
  std::optional<std::string> cluster_id;
  int32_t controller_id = -1;
  std::vector<MetadataResponseTopic> topics;
  int32_t cluster_authorized_operations = INT32_MIN;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 3);
    io.field(brokers);
    io.field(cluster_id, 2);
    io.field(controller_id, 1);
    io.field(topics);
    io.field(cluster_authorized_operations, 8, 10);
  }
  GREGOR_MESSAGE_API(MetadataResponse, ApiKey::Metadata);
};

}  // namespace gregor
