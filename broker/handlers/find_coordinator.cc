// FindCoordinator handler: the leader of the group's __consumer_offsets partition (created on first use).
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "broker/topic_admin.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/find_coordinator.h"

namespace gregor::broker {

void KafkaApis::handle_find_coordinator(Request& req, Reader& body) {
  auto request = decode_body<FindCoordinatorRequest>(req, body);
  if (!request) return;
  FindCoordinatorResponse resp;
  auto fail = [&](ErrorCode e, std::string message) {
    resp.error_code = code(e);
    resp.error_message = std::move(message);
    resp.node_id = -1;
    resp.host = "";
    resp.port = -1;
    req.respond(resp);
  };
  // No transaction coordinator yet: retriable "not available" (InitProducerId refuses transactional ids first).
  if (request->key_type != 0) return fail(ErrorCode::COORDINATOR_NOT_AVAILABLE, "transactions are not supported");
  if (request->key.empty()) return fail(ErrorCode::INVALID_REQUEST, "empty group id");
  const TopicInfo* offsets = metadata_.topic(kConsumerOffsetsTopic);
  if (!offsets) {
    admin_.create_offsets_topic();
    return fail(ErrorCode::COORDINATOR_NOT_AVAILABLE, "The coordinator is not available.");
  }
  auto it = offsets->partitions.find(groups_->partition_for(request->key));
  if (it == offsets->partitions.end() || !metadata_.is_alive(it->second.leader)) {
    return fail(ErrorCode::COORDINATOR_NOT_AVAILABLE, "The coordinator is not available.");
  }
  auto& leader = metadata_.brokers.at(it->second.leader);
  auto ep = leader.endpoints.find(req.listener_name);
  if (ep == leader.endpoints.end()) return fail(ErrorCode::COORDINATOR_NOT_AVAILABLE, "listener not found");
  resp.node_id = leader.id;
  resp.host = ep->second.host;
  resp.port = ep->second.port;
  req.respond(resp);
}

}  // namespace gregor::broker
