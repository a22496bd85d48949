// IncrementalAlterConfigs (key 44) codec.
#include "protocol/messages/incremental_alter_configs.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(IncrementalAlterConfigsRequest, ApiKey::IncrementalAlterConfigs)
GREGOR_MESSAGE_CODEC(IncrementalAlterConfigsResponse, ApiKey::IncrementalAlterConfigs)

}  // namespace gregor
