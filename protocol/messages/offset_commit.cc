// OffsetCommit (key 8) codec.
#include "protocol/messages/offset_commit.h"

#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(OffsetCommitRequest, ApiKey::OffsetCommit)
GREGOR_MESSAGE_CODEC(OffsetCommitResponse, ApiKey::OffsetCommit)

}  // namespace gregor
