// SyncGroup handler: the leader's assignment goes to every member once it arrives.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/sync_group.h"

namespace gregor::broker {

void KafkaApis::handle_sync_group(Request& req, Reader& body) {
  auto request = decode_body<SyncGroupRequest>(req, body);
  if (!request) return;
  auto reply = req.reply_to();
  groups_->sync_group(*request, req.header.api_version, [reply](SyncGroupResponse resp) { reply.respond(resp); });
}

}  // namespace gregor::broker
