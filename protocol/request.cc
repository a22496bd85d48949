// Decoding a request body by api key.
#include "protocol/request.h"

#include <fmt/format.h>

#include "protocol/api_versions_table.h"

namespace gregor {

namespace {

template <class T>
Result<AnyRequest, std::string> decode_as(Reader& reader, int16_t version) {
  auto decoded = T::decode(reader, version);
  if (!decoded) return unexpected(std::move(decoded.error()));
  return AnyRequest(std::move(*decoded));
}

}  // namespace

Result<AnyRequest, std::string> decode_request_body(const RequestHeader& header, Reader& reader) {
  if (!is_supported_request(header.api_key, header.api_version)) {
    return unexpected(fmt::format("unsupported request: api key {} version {}",
                                  static_cast<int16_t>(header.api_key), header.api_version));
  }
  const int16_t v = header.api_version;
  switch (header.api_key) {
    case ApiKey::Produce:
      return decode_as<ProduceRequest>(reader, v);
    case ApiKey::Fetch:
      return decode_as<FetchRequest>(reader, v);
    case ApiKey::ListOffsets:
      return decode_as<ListOffsetsRequest>(reader, v);
    case ApiKey::Metadata:
      return decode_as<MetadataRequest>(reader, v);
    case ApiKey::OffsetCommit:
      return decode_as<OffsetCommitRequest>(reader, v);
    case ApiKey::OffsetFetch:
      return decode_as<OffsetFetchRequest>(reader, v);
    case ApiKey::FindCoordinator:
      return decode_as<FindCoordinatorRequest>(reader, v);
    case ApiKey::JoinGroup:
      return decode_as<JoinGroupRequest>(reader, v);
    case ApiKey::Heartbeat:
      return decode_as<HeartbeatRequest>(reader, v);
    case ApiKey::LeaveGroup:
      return decode_as<LeaveGroupRequest>(reader, v);
    case ApiKey::SyncGroup:
      return decode_as<SyncGroupRequest>(reader, v);
    case ApiKey::DescribeGroups:
      return decode_as<DescribeGroupsRequest>(reader, v);
    case ApiKey::ListGroups:
      return decode_as<ListGroupsRequest>(reader, v);
    case ApiKey::ApiVersions:
      return decode_as<ApiVersionsRequest>(reader, v);
    case ApiKey::CreateTopics:
      return decode_as<CreateTopicsRequest>(reader, v);
    case ApiKey::DeleteTopics:
      return decode_as<DeleteTopicsRequest>(reader, v);
    case ApiKey::InitProducerId:
      return decode_as<InitProducerIdRequest>(reader, v);
    case ApiKey::OffsetForLeaderEpoch:
      return decode_as<OffsetForLeaderEpochRequest>(reader, v);
    case ApiKey::DescribeConfigs:
      return decode_as<DescribeConfigsRequest>(reader, v);
    case ApiKey::AlterConfigs:
      return decode_as<AlterConfigsRequest>(reader, v);
    case ApiKey::CreatePartitions:
      return decode_as<CreatePartitionsRequest>(reader, v);
    case ApiKey::DeleteGroups:
      return decode_as<DeleteGroupsRequest>(reader, v);
    case ApiKey::IncrementalAlterConfigs:
      return decode_as<IncrementalAlterConfigsRequest>(reader, v);
    default:
      break;
  }
  // The table lists an API this switch does not: a bug, but not one to crash a broker over.
  return unexpected(fmt::format("no decoder for api key {}", static_cast<int16_t>(header.api_key)));
}

}  // namespace gregor
