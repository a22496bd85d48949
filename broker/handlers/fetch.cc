// Fetch handler: long-poll reads answered with file regions (sendfile), up to the high watermark for consumers.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "protocol/messages/fetch.h"

namespace gregor::broker {

void KafkaApis::handle_fetch(Request& req, Reader& body) {
  auto request = decode_body<FetchRequest>(req, body);
  if (!request) return;
  FetchParams params;
  params.replica_id = request->replica_id;
  params.max_wait_ms = request->max_wait_ms;
  params.min_bytes = request->min_bytes;
  params.max_bytes = request->max_bytes;
  std::vector<FetchPartitionSpec> specs;
  for (auto& topic : request->topics) {
    for (auto& p : topic.partitions) {
      specs.push_back({log::TopicPartition{topic.topic, p.partition}, p.fetch_offset, p.partition_max_bytes,
                       p.current_leader_epoch});
    }
  }
  // Layout of the answer mirrors the request: remember the topic boundaries.
  std::vector<std::pair<std::string, std::vector<int32_t>>> topics;
  for (auto& topic : request->topics) {
    std::vector<int32_t> indexes;
    for (auto& p : topic.partitions) indexes.push_back(p.partition);
    topics.emplace_back(topic.topic, std::move(indexes));
  }

  auto reply = req.reply_to();
  replicas_.fetch(params, std::move(specs), [reply, topics = std::move(topics)](std::vector<ReadResult> results) {
    FetchResponse resp;
    size_t i = 0;
    for (auto& [name, indexes] : topics) {
      FetchResponse::FetchableTopicResponse t;
      t.topic = name;
      for (int32_t index : indexes) {
        auto& r = results[i++];
        FetchResponse::PartitionData p;
        p.partition_index = index;
        p.error_code = code(r.error);
        p.high_watermark = r.high_watermark;
        p.last_stable_offset = r.high_watermark;  // no transactions: the LSO is the high watermark
        p.log_start_offset = r.log_start_offset;
        p.records = std::move(r.data.regions);
        t.partitions.push_back(std::move(p));
      }
      resp.responses.push_back(std::move(t));
    }
    reply.respond(resp);
  });
}

}  // namespace gregor::broker
