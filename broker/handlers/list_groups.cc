// ListGroups handler: the groups this broker coordinates.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/list_groups.h"

namespace gregor::broker {

void KafkaApis::handle_list_groups(Request& req, Reader& body) {
  auto request = decode_body<ListGroupsRequest>(req, body);
  if (!request) return;
  req.respond(groups_->list_groups(*request, req.header.api_version));
}

}  // namespace gregor::broker
