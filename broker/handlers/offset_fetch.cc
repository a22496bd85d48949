// OffsetFetch handler: a group's committed offsets (null topics = all, v2+).
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "coordinator/group_coordinator.h"
#include "protocol/messages/offset_fetch.h"

namespace gregor::broker {

void KafkaApis::handle_offset_fetch(Request& req, Reader& body) {
  auto request = decode_body<OffsetFetchRequest>(req, body);
  if (!request) return;
  req.respond(groups_->offset_fetch(*request, req.header.api_version));
}

}  // namespace gregor::broker
