// Metadata (key 3) codec.
#include "protocol/messages/metadata.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(MetadataRequest, ApiKey::Metadata)
GREGOR_MESSAGE_CODEC(MetadataResponse, ApiKey::Metadata)

}  // namespace gregor
