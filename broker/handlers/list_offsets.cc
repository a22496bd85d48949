// ListOffsets handler: earliest (-2), latest (-1) and by-timestamp offsets of leader partitions.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "protocol/messages/list_offsets.h"

namespace gregor::broker {
namespace {

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;

// The leader epoch that wrote `offset`: the last cache entry starting at or before it.
int32_t epoch_for_offset(log::Log& log, int64_t offset) {
  int32_t epoch = -1;
  for (auto& [e, start] : log.leader_epoch_cache().entries()) {
    if (start <= offset) epoch = e;
  }
  return epoch;
}

}  // namespace

void KafkaApis::handle_list_offsets(Request& req, Reader& body) {
  auto request = decode_body<ListOffsetsRequest>(req, body);
  if (!request) return;
  ListOffsetsResponse resp;
  for (auto& topic : request->topics) {
    ListOffsetsResponse::ListOffsetsTopicResponse t;
    t.name = topic.name;
    for (auto& part : topic.partitions) {
      ListOffsetsResponse::ListOffsetsPartitionResponse p;
      p.partition_index = part.partition_index;
      auto leader = replicas_.leader_partition({topic.name, part.partition_index}, part.current_leader_epoch);
      Partition* partition = leader ? *leader : nullptr;
      if (!leader) {
        p.error_code = code(leader.error());
      } else if (part.timestamp == kLatest) {
        p.offset = request->replica_id >= 0 ? partition->log_end_offset() : partition->high_watermark();
        p.leader_epoch = partition->leader_epoch();
      } else if (part.timestamp == kEarliest) {
        p.offset = partition->log_start_offset();
        p.leader_epoch = epoch_for_offset(partition->log(), p.offset);
      } else if (part.timestamp < 0) {
        p.error_code = code(ErrorCode::UNSUPPORTED_VERSION);
      } else if (auto found = partition->log().offset_for_timestamp(part.timestamp, partition->high_watermark())) {
        p.timestamp = found->timestamp;
        p.offset = found->offset;
        p.leader_epoch = found->leader_epoch;
      }
      t.partitions.push_back(p);
    }
    resp.topics.push_back(std::move(t));
  }
  req.respond(resp);
}

}  // namespace gregor::broker
