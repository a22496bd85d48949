// Heartbeat handler: keeps a member's session alive and tells it when to rejoin.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/heartbeat.h"

namespace gregor::broker {

void KafkaApis::handle_heartbeat(Request& req, Reader& body) {
  auto request = decode_body<HeartbeatRequest>(req, body);
  if (!request) return;
  auto reply = req.reply_to();
  groups_->heartbeat(*request, req.header.api_version, [reply](HeartbeatResponse resp) { reply.respond(resp); });
}

}  // namespace gregor::broker
