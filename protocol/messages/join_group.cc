// JoinGroup (key 11) codec.
#include "protocol/messages/join_group.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(JoinGroupRequest, ApiKey::JoinGroup)
GREGOR_MESSAGE_CODEC(JoinGroupResponse, ApiKey::JoinGroup)

}  // namespace gregor
