// Produce handler: per-partition validation and append; acks 0 (no answer), 1 and -1 (answered once the ISR has
// the records: ReplicaManager::wait_for_acks).
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch_header.h"

namespace gregor::broker {
namespace {

bool uses_zstd(std::span<const uint8_t> records) {
  return records.size() >= batch::kHeaderSize &&
         batch::Header(const_cast<uint8_t*>(records.data())).compression() == batch::Compression::zstd;
}

}  // namespace

void KafkaApis::handle_produce(Request& req, Reader& body) {
  auto request = decode_body<ProduceRequest>(req, body);
  if (!request) return;
  int16_t version = req.header.api_version;
  int16_t acks = request->acks;
  bool valid_acks = acks == 0 || acks == 1 || acks == -1;
  bool any_error = false;

  ProduceResponse resp;
  std::vector<AckWait> waits;
  std::vector<std::pair<size_t, size_t>> wait_slots;  // (topic index, partition index) in resp per wait
  for (auto& topic : request->topic_data) {
    ProduceResponse::TopicProduceResponse t;
    t.name = topic.name;
    const TopicInfo* info = metadata_.topic(topic.name);
    for (auto& pd : topic.partition_data) {
      ProduceResponse::PartitionProduceResponse p;
      p.index = pd.index;
      p.base_offset = -1;
      ErrorCode error = ErrorCode::NONE;
      if (!valid_acks) {
        error = ErrorCode::INVALID_REQUIRED_ACKS;
      } else if (MetadataCache::is_internal(topic.name)) {
        error = ErrorCode::INVALID_TOPIC_EXCEPTION;
      } else if (invalid_topic_name_reason(topic.name)) {
        error = ErrorCode::INVALID_TOPIC_EXCEPTION;
      } else if (!info || !info->partitions.count(pd.index)) {
        error = ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
      } else if (!pd.records || pd.records->empty()) {
        error = ErrorCode::INVALID_RECORD;
        p.error_message = "empty records";
      } else if (version < 7 && uses_zstd(*pd.records)) {
        error = ErrorCode::UNSUPPORTED_COMPRESSION_TYPE;
      } else {
        auto r = replicas_.append(log::TopicPartition{topic.name, pd.index}, *pd.records, acks);
        error = r.error;
        p.base_offset = r.base_offset;
        p.log_append_time_ms = r.log_append_time;
        p.log_start_offset = r.log_start_offset;
        if (error != ErrorCode::NONE && !r.message.empty()) p.error_message = r.message;
        if (r.record_index >= 0) p.record_errors.push_back({r.record_index, r.message});
        if (error != ErrorCode::NONE) {
          logger("broker")->debug("[{}-{}] produce refused: {} {}", topic.name, pd.index, to_string(error), r.message);
        } else if (acks == -1) {
          waits.push_back({log::TopicPartition{topic.name, pd.index}, r.last_offset + 1});
          wait_slots.emplace_back(resp.responses.size(), t.partition_responses.size());
        }
      }
      if (error != ErrorCode::NONE) any_error = true;
      p.error_code = code(error);
      t.partition_responses.push_back(std::move(p));
    }
    resp.responses.push_back(std::move(t));
  }
  if (acks == 0) {
    // No response for acks=0; on error Kafka closes the connection so the client refreshes its metadata.
    if (any_error) return req.responder.close_connection("acks=0 produce failed");
    return req.responder.send_nothing();
  }
  if (waits.empty()) return req.respond(resp);
  // acks=all: the answer waits until the ISR has the records (high watermark past them) or the timeout.
  auto reply = req.reply_to();
  replicas_.wait_for_acks(std::move(waits), request->timeout_ms,
                          [reply, resp = std::move(resp), wait_slots](std::vector<ErrorCode> errors) mutable {
                            for (size_t i = 0; i < errors.size(); ++i) {
                              auto [ti, pi] = wait_slots[i];
                              auto& p = resp.responses[ti].partition_responses[pi];
                              p.error_code = code(errors[i]);
                            }
                            reply.respond(resp);
                          });
}

}  // namespace gregor::broker
