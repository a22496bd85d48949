// ApiKey: the Kafka request type numbers gregor knows (clients/.../protocol/ApiKeys.java).
#pragma once

#include <cstdint>
#include <string_view>

namespace gregor {

enum class ApiKey : int16_t {
  Produce = 0,
  Fetch = 1,
  ListOffsets = 2,
  Metadata = 3,
  LeaderAndIsr = 4,
  StopReplica = 5,
  UpdateMetadata = 6,
  ControlledShutdown = 7,
  OffsetCommit = 8,
  OffsetFetch = 9,
  FindCoordinator = 10,
  JoinGroup = 11,
  Heartbeat = 12,
  LeaveGroup = 13,
  SyncGroup = 14,
  DescribeGroups = 15,
  ListGroups = 16,
  SaslHandshake = 17,
  ApiVersions = 18,
  CreateTopics = 19,
  DeleteTopics = 20,
  DeleteRecords = 21,
  InitProducerId = 22,
  OffsetForLeaderEpoch = 23,
  DescribeConfigs = 32,
  AlterConfigs = 33,
  CreatePartitions = 37,
  DeleteGroups = 42,
  IncrementalAlterConfigs = 44,
};

// Kafka's name for the API, e.g. "Produce"; "Unknown" for other values.
std::string_view to_string(ApiKey key);

}  // namespace gregor
