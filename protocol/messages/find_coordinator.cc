// FindCoordinator (key 10) codec.
#include "protocol/messages/find_coordinator.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(FindCoordinatorRequest, ApiKey::FindCoordinator)
GREGOR_MESSAGE_CODEC(FindCoordinatorResponse, ApiKey::FindCoordinator)

}  // namespace gregor
