// JoinGroup handler: joins (or rejoins) a member; the answer may wait for the rebalance to complete.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/join_group.h"

namespace gregor::broker {

void KafkaApis::handle_join_group(Request& req, Reader& body) {
  auto request = decode_body<JoinGroupRequest>(req, body);
  if (!request) return;
  auto reply = req.reply_to();
  groups_->join_group(*request, req.header.api_version, req.client_id(), "/" + req.peer_host,
                [reply](JoinGroupResponse resp) { reply.respond(resp); });
}

}  // namespace gregor::broker
