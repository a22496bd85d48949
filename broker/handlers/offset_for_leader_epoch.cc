// OffsetForLeaderEpoch handler: end offset of a leader epoch from the leader-epoch cache (truncation, validation).
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "protocol/messages/offset_for_leader_epoch.h"

namespace gregor::broker {

void KafkaApis::handle_offset_for_leader_epoch(Request& req, Reader& body) {
  auto request = decode_body<OffsetForLeaderEpochRequest>(req, body);
  if (!request) return;
  OffsetForLeaderEpochResponse resp;
  for (auto& topic : request->topics) {
    OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult t;
    t.topic = topic.topic;
    for (auto& part : topic.partitions) {
      OffsetForLeaderEpochResponse::EpochEndOffset p;
      p.partition = part.partition;
      Partition* partition = replicas_.partition(log::TopicPartition{topic.topic, part.partition});
      if (!partition) {
        p.error_code = code(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
      } else if (!partition->is_leader()) {
        p.error_code = code(ErrorCode::NOT_LEADER_OR_FOLLOWER);
      } else if (auto e = partition->check_leader_epoch(part.current_leader_epoch); e != ErrorCode::NONE) {
        p.error_code = code(e);
      } else {
        auto [epoch, end] =
            partition->log().leader_epoch_cache().end_offset_for(part.leader_epoch, partition->log_end_offset());
        p.leader_epoch = epoch;
        p.end_offset = end;
      }
      t.partitions.push_back(p);
    }
    resp.topics.push_back(std::move(t));
  }
  req.respond(resp);
}

}  // namespace gregor::broker
