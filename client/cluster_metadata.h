// ClusterMetadata: what the client knows of brokers, the controller and topic partitions (from Metadata).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_code.h"
#include "protocol/messages/metadata.h"

namespace gregor::client {

struct BrokerInfo {
  int32_t node_id = -1;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

struct PartitionInfo {
  int32_t partition = 0;
  ErrorCode error = ErrorCode::NONE;
  int32_t leader = -1;
  int32_t leader_epoch = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::vector<int32_t> offline_replicas;
};

struct TopicInfo {
  std::string name;
  ErrorCode error = ErrorCode::NONE;
  bool internal = false;
  std::vector<PartitionInfo> partitions;  // sorted by partition id
};

struct ClusterMetadata {
  std::optional<std::string> cluster_id;
  int32_t controller_id = -1;
  std::map<int32_t, BrokerInfo> brokers;
  std::map<std::string, TopicInfo> topics;

  static ClusterMetadata from_response(const MetadataResponse& response);

  // Takes brokers and controller from `newer` and replaces the topics it names (a Metadata
  // request for some topics says nothing about the others).
  void merge(const ClusterMetadata& newer);

  const TopicInfo* topic(const std::string& name) const;
  const BrokerInfo* broker(int32_t node_id) const;
  // The partition's leader, or nullopt when unknown or leaderless.
  std::optional<int32_t> leader_for(const std::string& topic, int32_t partition) const;
};

}  // namespace gregor::client
