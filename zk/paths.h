// Kafka's ZooKeeper paths (ZkData.scala): top-level constants and one function per znode kind.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gregor::zk::paths {

inline constexpr std::string_view kClusterId = "/cluster/id";
inline constexpr std::string_view kController = "/controller";
inline constexpr std::string_view kControllerEpoch = "/controller_epoch";
inline constexpr std::string_view kConsumers = "/consumers";
inline constexpr std::string_view kBrokers = "/brokers";
inline constexpr std::string_view kBrokerIds = "/brokers/ids";
inline constexpr std::string_view kBrokerTopics = "/brokers/topics";
inline constexpr std::string_view kBrokerSeqId = "/brokers/seqid";
inline constexpr std::string_view kConfig = "/config";
inline constexpr std::string_view kConfigChanges = "/config/changes";
inline constexpr std::string_view kConfigTopics = "/config/topics";
inline constexpr std::string_view kAdmin = "/admin";
inline constexpr std::string_view kDeleteTopics = "/admin/delete_topics";
inline constexpr std::string_view kReassignPartitions = "/admin/reassign_partitions";
inline constexpr std::string_view kPreferredReplicaElection = "/admin/preferred_replica_election";
inline constexpr std::string_view kIsrChangeNotification = "/isr_change_notification";
inline constexpr std::string_view kIsrChangePrefix = "/isr_change_notification/isr_change_";
inline constexpr std::string_view kLatestProducerIdBlock = "/latest_producer_id_block";
inline constexpr std::string_view kLogDirEventNotification = "/log_dir_event_notification";
inline constexpr std::string_view kFeature = "/feature";
inline constexpr std::string_view kConfigChangePrefix = "/config/changes/config_change_";

// Config entity types with a /config/<type> node (Kafka 3.9 adds client-metrics).
inline constexpr std::string_view kConfigEntityTypes[] = {"topics",  "clients", "users",
                                                          "brokers", "ips",     "client-metrics"};

// Everything KafkaZkClient.createTopLevelPaths() ensures (§1.2).
std::vector<std::string> top_level_paths();

std::string broker_id_path(int32_t broker_id);                                // /brokers/ids/<id>
std::string topic_path(std::string_view topic);                               // /brokers/topics/<t>
std::string topic_partitions_path(std::string_view topic);                    // .../partitions
std::string partition_path(std::string_view topic, int32_t partition);        // .../partitions/<p>
std::string partition_state_path(std::string_view topic, int32_t partition);  // .../partitions/<p>/state
std::string config_entity_path(std::string_view entity_type, std::string_view name);  // /config/<type>/<name>
std::string topic_config_path(std::string_view topic);                                // /config/topics/<t>
std::string broker_config_path(std::string_view broker);  // /config/brokers/<id|<default>>
std::string delete_topic_path(std::string_view topic);    // /admin/delete_topics/<t>

}  // namespace gregor::zk::paths
