// DescribeGroups (key 15) codec.
#include "protocol/messages/describe_groups.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(DescribeGroupsRequest, ApiKey::DescribeGroups)
GREGOR_MESSAGE_CODEC(DescribeGroupsResponse, ApiKey::DescribeGroups)

}  // namespace gregor
