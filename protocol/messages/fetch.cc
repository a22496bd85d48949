// Fetch (key 1) codec.
#include "protocol/messages/fetch.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(FetchRequest, ApiKey::Fetch)
GREGOR_MESSAGE_CODEC(FetchResponse, ApiKey::Fetch)

}  // namespace gregor
