// Kafka's znode JSON payloads: encoders write Kafka's exact compact JSON, decoders accept Kafka 2.x-3.9
// versions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.h"

namespace gregor::zk {

// An advertised listener: LISTENER_NAME://host:port.
struct Endpoint {
  std::string listener_name;
  std::string host;
  int32_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

// /brokers/ids/<id>, written as version 5; host/port in the JSON = the first PLAINTEXT endpoint.
// security_protocol_map: listener name -> security protocol (an absent entry means name == protocol).
struct BrokerRegistration {
  int32_t id = -1;
  std::vector<Endpoint> endpoints;
  std::map<std::string, std::string> security_protocol_map;
  std::optional<std::string> rack;
  int64_t timestamp_ms = 0;
  int32_t jmx_port = -1;
  bool operator==(const BrokerRegistration&) const = default;
};

// /brokers/topics/<t>, written as version 3. partitions[p][0] is the preferred leader.
// topic_id is empty for topics written by Kafka before 2.8 (version 1/2): the controller assigns one.
struct TopicAssignment {
  std::string topic_id;
  std::map<int32_t, std::vector<int32_t>> partitions;
  std::map<int32_t, std::vector<int32_t>> adding_replicas;    // during a reassignment only
  std::map<int32_t, std::vector<int32_t>> removing_replicas;  // during a reassignment only
  bool operator==(const TopicAssignment&) const = default;
};

// /brokers/topics/<t>/partitions/<p>/state, version 1. leader -1 = no leader.
struct PartitionState {
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  std::vector<int32_t> isr;
  int32_t controller_epoch = 0;
  int8_t leader_recovery_state = 0;  // 1 = RECOVERING (after an unclean election); 0 is not written
  bool operator==(const PartitionState&) const = default;
};

// /controller (written as version 1).
struct ControllerInfo {
  int32_t broker_id = -1;
  int64_t timestamp_ms = 0;
  bool operator==(const ControllerInfo&) const = default;
};

// /latest_producer_id_block: an inclusive range of producer ids owned by `broker`.
struct ProducerIdBlock {
  int32_t broker = -1;
  int64_t block_start = 0;
  int64_t block_end = -1;
  bool operator==(const ProducerIdBlock&) const = default;
};

inline constexpr int64_t kProducerIdBlockSize = 1000;

std::string encode(const BrokerRegistration& registration);
// `id` comes from the znode name (the JSON does not carry it).
Result<BrokerRegistration, std::string> decode_broker_registration(std::string_view json, int32_t id);

std::string encode(const TopicAssignment& assignment);
Result<TopicAssignment, std::string> decode_topic_assignment(std::string_view json);

std::string encode(const PartitionState& state);
Result<PartitionState, std::string> decode_partition_state(std::string_view json);

std::string encode(const ControllerInfo& controller);
Result<ControllerInfo, std::string> decode_controller_info(std::string_view json);

std::string encode(const ProducerIdBlock& block);
Result<ProducerIdBlock, std::string> decode_producer_id_block(std::string_view json);

// /cluster/id: {"version":"1","id":"..."} (version is a string there).
std::string encode_cluster_id(std::string_view cluster_id);
Result<std::string, std::string> decode_cluster_id(std::string_view json);

// /controller_epoch: plain ASCII decimal.
std::string encode_controller_epoch(int32_t epoch);
Result<int32_t, std::string> decode_controller_epoch(std::string_view text);

// /config/<type>/<name>: {"version":1,"config":{...}}; all values are strings.
std::string encode_topic_config(const std::map<std::string, std::string>& config);
Result<std::map<std::string, std::string>, std::string> decode_topic_config(std::string_view json);

// /isr_change_notification/isr_change_<seq>.
std::string encode_isr_change_notification(const std::vector<std::pair<std::string, int32_t>>& partitions);
Result<std::vector<std::pair<std::string, int32_t>>, std::string> decode_isr_change_notification(
    std::string_view json);

// "LISTENER://host:port" (IPv6 hosts in brackets) and back.
std::string to_connection_string(const Endpoint& endpoint);
Result<Endpoint, std::string> parse_endpoint(std::string_view text);

// Random UUIDs (version 4) as 22-char URL-safe base64 without padding, never starting with '-'.
std::string new_cluster_id();
std::string new_topic_id();

}  // namespace gregor::zk
