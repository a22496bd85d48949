// OffsetCommit handler: commits are records in __consumer_offsets, answered once appended.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/offset_commit.h"

namespace gregor::broker {

void KafkaApis::handle_offset_commit(Request& req, Reader& body) {
  auto request = decode_body<OffsetCommitRequest>(req, body);
  if (!request) return;
  auto reply = req.reply_to();
  auto exists = [this](const std::string& topic, int32_t partition) {
    const TopicInfo* t = metadata_.topic(topic);
    return t && t->partitions.count(partition) > 0;
  };
  groups_->offset_commit(*request, req.header.api_version, exists, [reply](OffsetCommitResponse resp) { reply.respond(resp); });
}

}  // namespace gregor::broker
