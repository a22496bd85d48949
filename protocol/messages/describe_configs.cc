// DescribeConfigs (key 32) codec.
#include "protocol/messages/describe_configs.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(DescribeConfigsRequest, ApiKey::DescribeConfigs)
GREGOR_MESSAGE_CODEC(DescribeConfigsResponse, ApiKey::DescribeConfigs)

}  // namespace gregor
