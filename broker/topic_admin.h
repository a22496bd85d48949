// TopicAdmin: the controller duties of a lone broker — load topics from ZooKeeper, elect itself leader,
// create/delete topics and add partitions (znodes first, then local partitions and the metadata cache).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/config.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "broker/topic_config.h"
#include "protocol/error_code.h"
#include "zk/kafka_zk_client.h"

namespace gregor::broker {

struct NewTopic {
  std::string name;
  int32_t num_partitions = -1;      // -1 = num.partitions
  int16_t replication_factor = -1;  // -1 = default.replication.factor
  std::map<int32_t, std::vector<int32_t>> assignments;  // manual assignment (then both counts are -1)
  std::map<std::string, std::string> configs;
};

struct TopicResult {
  std::string name;
  ErrorCode error = ErrorCode::NONE;
  std::string message;
};

class TopicAdmin {
 public:
  TopicAdmin(const BrokerConfig& config, const TopicConfigs& topic_configs, zk::KafkaZkClient& zk,
             MetadataCache& metadata, ReplicaManager& replicas, log::LogManager& logs);

  void set_controller(bool is_controller, int32_t controller_epoch, int32_t epoch_zk_version);
  bool is_controller() const { return is_controller_; }

  // Start-up and after a session re-establishment: brokers, topics, partition states; elects this broker
  // leader of the partitions whose leader is gone. done(error message or empty).
  void load(std::function<void(std::string error)> done);

  using Done = std::function<void(std::vector<TopicResult>)>;
  void create_topics(std::vector<NewTopic> topics, bool validate_only, Done done);
  void delete_topics(std::vector<std::string> names, Done done);
  // new_assignments: replica lists for the new partitions only (may be empty = automatic).
  void create_partitions(const std::string& topic, int32_t new_count,
                         std::vector<std::vector<int32_t>> new_assignments, bool validate_only,
                         std::function<void(TopicResult)> done);
  // Metadata auto-creation (num.partitions, default.replication.factor); fire and forget.
  void auto_create_topic(const std::string& name);
  void refresh_brokers();
  // __consumer_offsets on first FindCoordinator: offsets.topic.* settings, compacted.
  void create_offsets_topic();

 private:
  Result<std::map<int32_t, std::vector<int32_t>>, TopicResult> plan_topic(const NewTopic& t) const;
  void write_new_topic(const std::string& name, std::map<int32_t, std::vector<int32_t>> assignment,
                       std::map<std::string, std::string> configs, std::function<void(TopicResult)> done);
  void write_partition_states(const std::string& topic, const std::map<int32_t, std::vector<int32_t>>& assignment,
                              std::function<void(zk::ZkError)> done);
  void load_topic(const std::string& topic, std::function<void()> done);
  void elect_and_apply(const std::string& topic, int32_t partition, std::optional<zk::PartitionState> state,
                       int32_t zk_version, std::function<void()> done);
  void apply_partition(const std::string& topic, int32_t partition, const PartitionInfo& info);
  std::vector<int32_t> live_broker_ids() const;

  const BrokerConfig& config_;
  const TopicConfigs& topic_configs_;
  zk::KafkaZkClient& zk_;
  MetadataCache& metadata_;
  ReplicaManager& replicas_;
  log::LogManager& logs_;
  bool is_controller_ = false;
  int32_t controller_epoch_ = 0;
  int32_t epoch_zk_version_ = -1;
  std::set<std::string> creating_;
};

}  // namespace gregor::broker
