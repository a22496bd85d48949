// ListGroups (key 16) codec.
#include "protocol/messages/list_groups.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(ListGroupsRequest, ApiKey::ListGroups)
GREGOR_MESSAGE_CODEC(ListGroupsResponse, ApiKey::ListGroups)

}  // namespace gregor
