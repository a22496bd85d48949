// LeaveGroup handler: members leave (v3: a batch) and the group rebalances.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/leave_group.h"

namespace gregor::broker {

void KafkaApis::handle_leave_group(Request& req, Reader& body) {
  auto request = decode_body<LeaveGroupRequest>(req, body);
  if (!request) return;
  auto reply = req.reply_to();
  groups_->leave_group(*request, req.header.api_version, [reply](LeaveGroupResponse resp) { reply.respond(resp); });
}

}  // namespace gregor::broker
