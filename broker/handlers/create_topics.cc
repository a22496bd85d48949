// CreateTopics handler: validation and creation through TopicAdmin (the controller's job in ZooKeeper mode).
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "broker/topic_admin.h"
#include "protocol/messages/create_topics.h"

namespace gregor::broker {

void KafkaApis::handle_create_topics(Request& req, Reader& body) {
  auto request = decode_body<CreateTopicsRequest>(req, body);
  if (!request) return;
  std::vector<NewTopic> topics;
  for (auto& t : request->topics) {
    NewTopic n;
    n.name = t.name;
    n.num_partitions = t.num_partitions;
    n.replication_factor = t.replication_factor;
    for (auto& a : t.assignments) n.assignments[a.partition_index] = a.broker_ids;
    for (auto& c : t.configs) {
      if (c.value) n.configs[c.name] = *c.value;
    }
    topics.push_back(std::move(n));
  }
  auto reply = req.reply_to();
  admin_.create_topics(std::move(topics), request->validate_only, request->timeout_ms, [reply](std::vector<TopicResult> results) {
    CreateTopicsResponse resp;
    for (auto& r : results) {
      CreateTopicsResponse::CreatableTopicResult t;
      t.name = r.name;
      t.error_code = code(r.error);
      if (r.error != ErrorCode::NONE) t.error_message = r.message;
      resp.topics.push_back(std::move(t));
    }
    reply.respond(resp);
  });
}

}  // namespace gregor::broker
