// DeleteTopics (key 20) codec.
#include "protocol/messages/delete_topics.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(DeleteTopicsRequest, ApiKey::DeleteTopics)
GREGOR_MESSAGE_CODEC(DeleteTopicsResponse, ApiKey::DeleteTopics)

}  // namespace gregor
