// CreatePartitions handler: grows topics' partition counts through TopicAdmin.
#include <memory>

#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "broker/topic_admin.h"
#include "protocol/messages/create_partitions.h"

namespace gregor::broker {

void KafkaApis::handle_create_partitions(Request& req, Reader& body) {
  auto request = decode_body<CreatePartitionsRequest>(req, body);
  if (!request) return;
  auto reply = req.reply_to();
  auto resp = std::make_shared<CreatePartitionsResponse>();
  resp->results.resize(request->topics.size());
  auto left = std::make_shared<size_t>(request->topics.size());
  if (*left == 0) return reply.respond(*resp);
  for (size_t i = 0; i < request->topics.size(); ++i) {
    auto& t = request->topics[i];
    std::vector<std::vector<int32_t>> assignments;
    if (t.assignments) {
      for (auto& a : *t.assignments) assignments.push_back(a.broker_ids);
    }
    admin_.create_partitions(t.name, t.count, std::move(assignments), request->validate_only, request->timeout_ms,
                             [reply, resp, left, i](TopicResult r) {
                               auto& out = resp->results[i];
                               out.name = r.name;
                               out.error_code = code(r.error);
                               if (r.error != ErrorCode::NONE) out.error_message = r.message;
                               if (--*left == 0) reply.respond(*resp);
                             });
  }
}

}  // namespace gregor::broker
