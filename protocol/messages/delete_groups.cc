// DeleteGroups (key 42) codec.
#include "protocol/messages/delete_groups.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(DeleteGroupsRequest, ApiKey::DeleteGroups)
GREGOR_MESSAGE_CODEC(DeleteGroupsResponse, ApiKey::DeleteGroups)

}  // namespace gregor
