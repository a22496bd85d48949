// SyncGroup (key 14) codec.
#include "protocol/messages/sync_group.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(SyncGroupRequest, ApiKey::SyncGroup)
GREGOR_MESSAGE_CODEC(SyncGroupResponse, ApiKey::SyncGroup)

}  // namespace gregor
