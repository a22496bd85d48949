// InitProducerId handler: fresh producer ids for idempotent producers, from ZooKeeper-reserved blocks.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "broker/producer_id_manager.h"
#include "protocol/messages/init_producer_id.h"

namespace gregor::broker {

void KafkaApis::handle_init_producer_id(Request& req, Reader& body) {
  auto request = decode_body<InitProducerIdRequest>(req, body);
  if (!request) return;
  if (request->transactional_id) {
    // No transaction coordinator yet: fail fast with a non-retriable error (UNSUPPORTED_VERSION, "the broker
    // does not support this") instead of COORDINATOR_NOT_AVAILABLE, which clients retry until they time out.
    InitProducerIdResponse resp;
    resp.error_code = code(ErrorCode::UNSUPPORTED_VERSION);
    return req.respond(resp);
  }
  auto reply = req.reply_to();
  producer_ids_.next([reply](ErrorCode error, int64_t producer_id) {
    InitProducerIdResponse resp;
    resp.error_code = code(error);
    resp.producer_id = error == ErrorCode::NONE ? producer_id : -1;
    resp.producer_epoch = error == ErrorCode::NONE ? 0 : -1;
    reply.respond(resp);
  });
}

}  // namespace gregor::broker
