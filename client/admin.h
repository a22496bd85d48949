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

#include "client/kafka_client.h"

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

  KafkaClient& client() { return *client_; }

 private:
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
