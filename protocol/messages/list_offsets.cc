// ListOffsets (key 2) codec.
#include "protocol/messages/list_offsets.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(ListOffsetsRequest, ApiKey::ListOffsets)
GREGOR_MESSAGE_CODEC(ListOffsetsResponse, ApiKey::ListOffsets)

}  // namespace gregor
