// CreateTopics (key 19) codec.
#include "protocol/messages/create_topics.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(CreateTopicsRequest, ApiKey::CreateTopics)
GREGOR_MESSAGE_CODEC(CreateTopicsResponse, ApiKey::CreateTopics)

}  // namespace gregor
