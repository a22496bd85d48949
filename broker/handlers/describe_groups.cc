// DescribeGroups handler: state, protocol, members with their metadata and assignments.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/describe_groups.h"

namespace gregor::broker {

void KafkaApis::handle_describe_groups(Request& req, Reader& body) {
  auto request = decode_body<DescribeGroupsRequest>(req, body);
  if (!request) return;
  req.respond(groups_->describe_groups(*request, req.header.api_version));
}

}  // namespace gregor::broker
