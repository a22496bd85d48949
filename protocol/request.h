// AnyRequest: decode a request body of whatever API the header names (dispatch, fuzzing, tools).
#pragma once

#include <string>
#include <variant>

#include "protocol/messages/all.h"
#include "protocol/request_header.h"

namespace gregor {

using AnyRequest =
    std::variant<ProduceRequest, FetchRequest, ListOffsetsRequest, MetadataRequest, OffsetCommitRequest,
                 OffsetFetchRequest, FindCoordinatorRequest, JoinGroupRequest, HeartbeatRequest,
                 LeaveGroupRequest, SyncGroupRequest, DescribeGroupsRequest, ListGroupsRequest,
                 ApiVersionsRequest, CreateTopicsRequest, DeleteTopicsRequest, InitProducerIdRequest,
                 OffsetForLeaderEpochRequest, DescribeConfigsRequest, AlterConfigsRequest,
                 CreatePartitionsRequest, DeleteGroupsRequest, IncrementalAlterConfigsRequest>;

// Decodes the body following `header` (which must be supported). Produce needs a Reader
// over a mutable buffer (its records stay views into it).
Result<AnyRequest, std::string> decode_request_body(const RequestHeader& header, Reader& reader);

}  // namespace gregor
