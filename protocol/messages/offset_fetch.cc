// OffsetFetch (key 9) codec.
#include "protocol/messages/offset_fetch.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(OffsetFetchRequest, ApiKey::OffsetFetch)
GREGOR_MESSAGE_CODEC(OffsetFetchResponse, ApiKey::OffsetFetch)

}  // namespace gregor
