// OffsetForLeaderEpoch (key 23) codec.
#include "protocol/messages/offset_for_leader_epoch.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(OffsetForLeaderEpochRequest, ApiKey::OffsetForLeaderEpoch)
GREGOR_MESSAGE_CODEC(OffsetForLeaderEpochResponse, ApiKey::OffsetForLeaderEpoch)

}  // namespace gregor
