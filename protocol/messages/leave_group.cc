// LeaveGroup (key 13) codec.
#include "protocol/messages/leave_group.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(LeaveGroupRequest, ApiKey::LeaveGroup)
GREGOR_MESSAGE_CODEC(LeaveGroupResponse, ApiKey::LeaveGroup)

}  // namespace gregor
