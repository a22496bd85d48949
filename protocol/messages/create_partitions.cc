// CreatePartitions (key 37) codec.
#include "protocol/messages/create_partitions.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(CreatePartitionsRequest, ApiKey::CreatePartitions)
GREGOR_MESSAGE_CODEC(CreatePartitionsResponse, ApiKey::CreatePartitions)

}  // namespace gregor
