// Names of the Kafka API keys, for logs.
#include "protocol/api_key.h"

namespace gregor {

std::string_view to_string(ApiKey key) {
  switch (key) {
    case ApiKey::Produce:
      return "Produce";
    case ApiKey::Fetch:
      return "Fetch";
    case ApiKey::ListOffsets:
      return "ListOffsets";
    case ApiKey::Metadata:
      return "Metadata";
    case ApiKey::LeaderAndIsr:
      return "LeaderAndIsr";
    case ApiKey::StopReplica:
      return "StopReplica";
    case ApiKey::UpdateMetadata:
      return "UpdateMetadata";
    case ApiKey::ControlledShutdown:
      return "ControlledShutdown";
    case ApiKey::OffsetCommit:
      return "OffsetCommit";
    case ApiKey::OffsetFetch:
      return "OffsetFetch";
    case ApiKey::FindCoordinator:
      return "FindCoordinator";
    case ApiKey::JoinGroup:
      return "JoinGroup";
    case ApiKey::Heartbeat:
      return "Heartbeat";
    case ApiKey::LeaveGroup:
      return "LeaveGroup";
    case ApiKey::SyncGroup:
      return "SyncGroup";
    case ApiKey::DescribeGroups:
      return "DescribeGroups";
    case ApiKey::ListGroups:
      return "ListGroups";
    case ApiKey::SaslHandshake:
      return "SaslHandshake";
    case ApiKey::ApiVersions:
      return "ApiVersions";
    case ApiKey::CreateTopics:
      return "CreateTopics";
    case ApiKey::DeleteTopics:
      return "DeleteTopics";
    case ApiKey::DeleteRecords:
      return "DeleteRecords";
    case ApiKey::InitProducerId:
      return "InitProducerId";
    case ApiKey::OffsetForLeaderEpoch:
      return "OffsetForLeaderEpoch";
    case ApiKey::DescribeConfigs:
      return "DescribeConfigs";
    case ApiKey::AlterConfigs:
      return "AlterConfigs";
    case ApiKey::CreatePartitions:
      return "CreatePartitions";
    case ApiKey::DeleteGroups:
      return "DeleteGroups";
    case ApiKey::IncrementalAlterConfigs:
      return "IncrementalAlterConfigs";
  }
  return "Unknown";
}

}  // namespace gregor
