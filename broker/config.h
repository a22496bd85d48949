// Broker configuration: Kafka's server.properties keys and defaults, environment overrides, validation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/result.h"

namespace gregor::broker {

struct Listener {
  std::string name;  // e.g. PLAINTEXT
  std::string host;  // empty = all interfaces
  int32_t port = 0;
};

// Raw key/value settings plus typed accessors for the keys gregor understands.
class BrokerConfig {
 public:
  // Reads a Java-properties file, then applies GREGOR_* and KAFKA_* environment overrides
  // (strip prefix, lowercase, "___" -> "-", "__" -> "_", "_" -> ".").
  static Result<BrokerConfig, std::string> load(const std::string& path, char** envp);
  static Result<BrokerConfig, std::string> from_map(std::map<std::string, std::string> values);

  // Maps an environment variable name to a config key, or nullopt if it is not a config variable.
  static std::optional<std::string> env_to_key(const std::string& env_name);

  int32_t broker_id = -1;
  std::vector<Listener> listeners;
  std::vector<Listener> advertised_listeners;
  std::map<std::string, std::string> listener_security_protocol_map;
  std::string inter_broker_listener_name = "PLAINTEXT";
  std::string zookeeper_connect;
  int32_t zookeeper_session_timeout_ms = 18000;
  int32_t zookeeper_connection_timeout_ms = 18000;
  std::vector<std::string> log_dirs;
  std::optional<std::string> rack;

  int32_t num_partitions = 1;
  int16_t default_replication_factor = 1;
  int32_t min_insync_replicas = 1;
  bool auto_create_topics_enable = true;
  bool delete_topic_enable = true;
  int64_t message_max_bytes = 1048588;
  int64_t socket_request_max_bytes = 104857600;
  int64_t connections_max_idle_ms = 600000;
  int32_t offsets_topic_num_partitions = 50;
  int16_t offsets_topic_replication_factor = 3;
  int64_t offsets_topic_segment_bytes = 104857600;
  int32_t group_initial_rebalance_delay_ms = 3000;
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;
  int32_t group_max_size = INT32_MAX;
  int64_t offsets_retention_minutes = 10080;
  int32_t offset_metadata_max_bytes = 4096;
  int64_t log_cleaner_backoff_ms = 15000;

  // Log defaults (topic-level keys derive from these).
  int64_t log_segment_bytes = 1073741824;
  int64_t log_roll_ms = 604800000;
  int64_t log_retention_ms = 604800000;
  int64_t log_retention_bytes = -1;
  int64_t log_retention_check_interval_ms = 300000;
  int32_t log_index_interval_bytes = 4096;
  int32_t log_index_size_max_bytes = 10485760;
  int64_t log_flush_interval_messages = INT64_MAX;
  int64_t log_flush_interval_ms = INT64_MAX;
  int64_t log_segment_delete_delay_ms = 60000;
  std::string log_cleanup_policy = "delete";
  std::string log_message_timestamp_type = "CreateTime";
  int64_t log_cleaner_delete_retention_ms = 86400000;
  std::string compression_type = "producer";
  int64_t replica_high_watermark_checkpoint_interval_ms = 5000;
  int64_t log_flush_offset_checkpoint_interval_ms = 60000;

  // Cluster: controller, replication, ISR (Kafka's defaults).
  std::optional<std::string> control_plane_listener_name;  // else the inter-broker listener carries control
  bool controlled_shutdown_enable = true;
  int32_t controlled_shutdown_max_retries = 3;
  int64_t controlled_shutdown_retry_backoff_ms = 5000;
  bool auto_leader_rebalance_enable = true;
  int64_t leader_imbalance_check_interval_seconds = 300;
  int32_t leader_imbalance_per_broker_percentage = 10;
  bool unclean_leader_election_enable = false;
  int64_t replica_lag_time_max_ms = 30000;
  int32_t replica_fetch_max_bytes = 1048576;
  int32_t replica_fetch_response_max_bytes = 10485760;
  int32_t replica_fetch_wait_max_ms = 500;
  int32_t replica_fetch_min_bytes = 1;
  int64_t replica_fetch_backoff_ms = 1000;
  int32_t replica_socket_timeout_ms = 30000;
  int32_t num_replica_fetchers = 1;
  int32_t request_timeout_ms = 30000;
  int32_t controller_socket_timeout_ms = 30000;
  // gregor's own: act on a peer broker's process death at once (broker/peer_crash_detector.h) rather than
  // only when its ZooKeeper session expires.
  bool crash_detection_enable = true;

  // Every key as given (file + environment), for DescribeConfigs.
  const std::map<std::string, std::string>& raw() const { return raw_; }
  // Keys present in raw() that gregor does not know (warned about at start-up).
  std::vector<std::string> unknown_keys() const;

  // The listener clients connect to first: the first advertised listener.
  const Listener& advertised(const std::string& listener_name) const;

 private:
  std::map<std::string, std::string> raw_;
};

// "PLAINTEXT://host:9092,OTHER://:9093" -> listeners; error names the bad entry.
Result<std::vector<Listener>, std::string> parse_listeners(const std::string& value);

}  // namespace gregor::broker
