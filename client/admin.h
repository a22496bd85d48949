// Admin: blocking topic, config and cluster administration (CreateTopics, DeleteTopics, CreatePartitions,
// configs).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/find_coordinator.h"
#include "client/kafka_client.h"
#include "client/topic_partition.h"

namespace gregor::client {

struct NewTopic {
  std::string name;
  int32_t num_partitions = -1;      // -1: the broker's num.partitions
  int16_t replication_factor = -1;  // -1: the broker's default.replication.factor
  std::map<std::string, std::string> configs;
};

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;
  std::string source;  // Kafka's ConfigSource names: DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG, ...
  bool read_only = false;
  bool sensitive = false;
  bool is_default() const { return source == "DEFAULT_CONFIG"; }
};

struct GroupListing {
  std::string group_id;
  std::string protocol_type;  // "consumer" for consumer groups, "" for groups that only commit offsets
  int32_t coordinator = -1;   // the broker that listed it
};

struct GroupMemberDescription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string host;
  std::vector<TopicPartition> assignment;  // decoded with the consumer protocol (empty otherwise)
};

struct GroupDescription {
  std::string group_id;
  std::string state;  // Empty, PreparingRebalance, CompletingRebalance, Stable, Dead
  std::string protocol_type;
  std::string protocol;  // the assignor chosen, e.g. "range"
  std::vector<GroupMemberDescription> members;
  CoordinatorInfo coordinator;
};

// Topic-level requests go to the controller (re-learned on NOT_CONTROLLER); every call waits
// up to the request timeout. Errors name the topic and carry Kafka's error code.
class Admin {
 public:
  static Result<std::unique_ptr<Admin>, ClientError> create(ClientConfig config);

  // Brokers, controller, cluster id and all topics.
  Result<ClusterMetadata, ClientError> describe_cluster();
  // Metadata of the given topics (UNKNOWN_TOPIC_OR_PARTITION if one does not exist).
  Result<std::vector<TopicInfo>, ClientError> describe_topics(const std::vector<std::string>& names);

  Result<void, ClientError> create_topic(const NewTopic& topic, bool validate_only = false);
  Result<void, ClientError> delete_topic(const std::string& name);
  // Grows the topic to `total` partitions.
  Result<void, ClientError> create_partitions(const std::string& name, int32_t total);
  Result<std::vector<ConfigEntry>, ClientError> describe_topic_configs(const std::string& name);
  // IncrementalAlterConfigs: sets (value) or deletes (nullopt) each key.
  Result<void, ClientError> alter_topic_configs(
      const std::string& name, const std::map<std::string, std::optional<std::string>>& changes);

  // Waits until metadata shows the topic with leaders for every partition (or, with exists=false, gone).
  Result<void, ClientError> wait_for_topic(const std::string& name, bool exists,
                                           std::chrono::milliseconds timeout);

  // Consumer groups: ListGroups on every broker, the rest at the group's coordinator (found with
  // FindCoordinator, retried on NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS).
  Result<std::vector<GroupListing>, ClientError> list_groups();
  // A group that does not exist comes back with state "Dead" (as Kafka answers).
  Result<GroupDescription, ClientError> describe_group(const std::string& group_id);
  // Every committed offset of the group (OffsetFetch with all topics).
  Result<std::map<TopicPartition, int64_t>, ClientError> list_group_offsets(const std::string& group_id);
  // DeleteGroups: NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for unknown groups.
  Result<void, ClientError> delete_group(const std::string& group_id);
  // OffsetCommit as a non-member (generation -1), which the coordinator accepts only for an empty group.
  Result<void, ClientError> alter_group_offsets(const std::string& group_id,
                                                const std::map<TopicPartition, int64_t>& offsets);
  // ListOffsets at a timestamp (kEarliestTimestamp / kLatestTimestamp or ms since the epoch).
  Result<std::map<TopicPartition, int64_t>, ClientError> list_offsets(const std::vector<TopicPartition>& tps,
                                                                      int64_t timestamp);
  // All partitions of a topic.
  Result<std::vector<TopicPartition>, ClientError> partitions_of(const std::string& topic);

  KafkaClient& client() { return *client_; }

 private:
  // Calls the group's coordinator; error_of gives the response's group-level error code.
  template <class Resp, class Req, class ErrorOf>
  Result<Resp, ClientError> call_coordinator(const std::string& group_id, const Req& req, ErrorOf error_of,
                                             CoordinatorInfo* coordinator = nullptr);
  explicit Admin(std::unique_ptr<KafkaClient> client) : client_(std::move(client)) {}
  // Calls the controller, refreshing metadata and retrying on NOT_CONTROLLER / network errors.
  // AlterConfigs for brokers without IncrementalAlterConfigs (read-modify-write of the overrides).
  Result<void, ClientError> alter_topic_configs_legacy(
      const std::string& name, const std::map<std::string, std::optional<std::string>>& changes);
  template <class Resp, class Req, class ErrorOf>
  Result<Resp, ClientError> call_controller(const Req& req, ErrorOf error_of);

  std::unique_ptr<KafkaClient> client_;
};

// Kafka's ConfigSource name for a DescribeConfigs source id.
std::string config_source_name(int8_t source);

}  // namespace gregor::client
