// Heartbeat (key 12) codec.
#include "protocol/messages/heartbeat.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(HeartbeatRequest, ApiKey::Heartbeat)
GREGOR_MESSAGE_CODEC(HeartbeatResponse, ApiKey::Heartbeat)

}  // namespace gregor
