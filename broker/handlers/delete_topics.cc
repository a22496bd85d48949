// DeleteTopics handler: marks topics for deletion (the controller removes them) and waits for the result.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "broker/topic_admin.h"
#include "protocol/messages/delete_topics.h"

namespace gregor::broker {

void KafkaApis::handle_delete_topics(Request& req, Reader& body) {
  auto request = decode_body<DeleteTopicsRequest>(req, body);
  if (!request) return;
  auto reply = req.reply_to();
  int16_t version = req.header.api_version;
  admin_.delete_topics(request->topic_names, request->timeout_ms, [reply, version](std::vector<TopicResult> results) {
    DeleteTopicsResponse resp;
    for (auto& r : results) {
      ErrorCode e = r.error;
      // TOPIC_DELETION_DISABLED exists from v3; older clients get INVALID_REQUEST (as Kafka answers).
      if (e == ErrorCode::TOPIC_DELETION_DISABLED && version < 3) e = ErrorCode::INVALID_REQUEST;
      resp.responses.push_back({r.name, code(e)});
    }
    reply.respond(resp);
  });
}

}  // namespace gregor::broker
