// DeleteGroups handler: removes empty groups and tombstones their offsets.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/delete_groups.h"

namespace gregor::broker {

void KafkaApis::handle_delete_groups(Request& req, Reader& body) {
  auto request = decode_body<DeleteGroupsRequest>(req, body);
  if (!request) return;
  auto reply = req.reply_to();
  groups_->delete_groups(*request, req.header.api_version, [reply](DeleteGroupsResponse resp) { reply.respond(resp); });
}

}  // namespace gregor::broker
