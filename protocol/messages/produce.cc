// Produce (key 0) codec.
#include "protocol/messages/produce.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(ProduceRequest, ApiKey::Produce)
GREGOR_MESSAGE_CODEC(ProduceResponse, ApiKey::Produce)

}  // namespace gregor
