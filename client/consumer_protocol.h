// ConsumerProtocol: Kafka's subscription and assignment bytes carried inside JoinGroup/SyncGroup.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client/topic_partition.h"
#include "protocol/result.h"

namespace gregor::client {

// The protocol_type of consumer groups; Java, librdkafka and franz-go all use it, which is what
// lets them share a group with us.
inline constexpr const char* kConsumerProtocolType = "consumer";

// ConsumerProtocolSubscription (versions 0-3): v1 adds owned partitions, v2 the generation,
// v3 the rack. We write v1; we read every version (and ignore fields newer than v3).
struct ConsumerSubscription {
  int16_t version = 1;
  std::vector<std::string> topics;
  std::optional<std::vector<uint8_t>> user_data;
  std::vector<TopicPartition> owned_partitions;  // v1+
  int32_t generation_id = -1;                    // v2+
  std::optional<std::string> rack_id;            // v3+
};

// ConsumerProtocolAssignment (versions 0-3, all with the same fields).
struct ConsumerAssignment {
  int16_t version = 1;
  std::vector<TopicPartition> partitions;
  std::optional<std::vector<uint8_t>> user_data;
};

std::vector<uint8_t> encode_subscription(const ConsumerSubscription& s);
Result<ConsumerSubscription, std::string> decode_subscription(std::span<const uint8_t> bytes);

std::vector<uint8_t> encode_assignment(const ConsumerAssignment& a);
// An empty buffer is an empty assignment (Kafka's coordinator sends one to members the leader left out).
Result<ConsumerAssignment, std::string> decode_assignment(std::span<const uint8_t> bytes);

// "t(0,1),u(2)": partitions grouped by topic, as kafka-consumer-groups --members --verbose prints them.
std::string format_partitions(const std::vector<TopicPartition>& partitions);

}  // namespace gregor::client
