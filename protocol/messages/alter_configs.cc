// AlterConfigs (key 33) codec.
#include "protocol/messages/alter_configs.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(AlterConfigsRequest, ApiKey::AlterConfigs)
GREGOR_MESSAGE_CODEC(AlterConfigsResponse, ApiKey::AlterConfigs)

}  // namespace gregor
