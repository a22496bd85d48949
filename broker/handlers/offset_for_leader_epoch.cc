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
      auto leader = replicas_.leader_partition({topic.topic, part.partition}, part.current_leader_epoch);
      if (!leader) {
        p.error_code = code(leader.error());
      } else {
        Partition* partition = *leader;
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
