// InitProducerId (key 22) codec.
#include "protocol/messages/init_producer_id.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(InitProducerIdRequest, ApiKey::InitProducerId)
GREGOR_MESSAGE_CODEC(InitProducerIdResponse, ApiKey::InitProducerId)

}  // namespace gregor
