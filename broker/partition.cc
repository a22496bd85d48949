// Partition: produce validation (record_batch), leader append, high watermark, reads bounded by the HW.
#include "broker/partition.h"

#include <algorithm>

#include "broker/logging.h"
#include "protocol/record_batch.h"
#include "protocol/record_batch_header.h"

namespace gregor::broker {

Partition::Partition(log::TopicPartition tp, log::Log& log, TopicSettings settings, int32_t local_broker_id)
    : tp_(std::move(tp)), log_(log), settings_(std::move(settings)), local_broker_id_(local_broker_id) {}

void Partition::update_settings(TopicSettings s) {
  settings_ = std::move(s);
  log_.update_config(settings_.log);
}

void Partition::make_leader(int32_t leader_epoch, std::vector<int32_t> replicas, std::vector<int32_t> isr,
                            int32_t zk_version, int64_t checkpointed_high_watermark) {
  bool new_epoch = leader_epoch > leader_epoch_;
  leader_ = local_broker_id_;
  leader_epoch_ = leader_epoch;
  replicas_ = std::move(replicas);
  isr_ = std::move(isr);
  zk_version_ = zk_version;
  // A new leader epoch starts at the current log end: followers with divergent tails truncate to it.
  if (new_epoch) log_.leader_epoch_cache().assign(leader_epoch, log_.log_end_offset());
  high_watermark_ = std::clamp(checkpointed_high_watermark, log_.log_start_offset(), log_.log_end_offset());
  maybe_advance_high_watermark();
  logger("broker")->info("[{}] became leader at epoch {}, ISR [{}], high watermark {}, log end offset {}",
                         tp_.to_string(), leader_epoch_, fmt::join(isr_, ","), high_watermark_, log_.log_end_offset());
}

void Partition::make_follower(int32_t leader, int32_t leader_epoch, std::vector<int32_t> replicas, int32_t zk_version) {
  leader_ = leader;
  leader_epoch_ = leader_epoch;
  replicas_ = std::move(replicas);
  isr_.clear();
  zk_version_ = zk_version;
  logger("broker")->info("[{}] became follower of broker {} at epoch {}", tp_.to_string(), leader, leader_epoch);
}

void Partition::maybe_advance_high_watermark() {
  // With this broker as the only ISR member the high watermark is the log end offset.
  // (Followers' log end offsets join this minimum once replication exists.)
  if (isr_.size() == 1 && isr_[0] == local_broker_id_) high_watermark_ = log_.log_end_offset();
}

ErrorCode Partition::check_leader_epoch(int32_t current_leader_epoch) const {
  if (current_leader_epoch < 0) return ErrorCode::NONE;
  if (current_leader_epoch < leader_epoch_) return ErrorCode::FENCED_LEADER_EPOCH;
  if (current_leader_epoch > leader_epoch_) return ErrorCode::UNKNOWN_LEADER_EPOCH;
  return ErrorCode::NONE;
}

Result<log::AppendInfo, PartitionError> Partition::append_records_as_leader(std::span<uint8_t> records,
                                                                            int16_t required_acks, int64_t now_ms) {
  if (!is_leader()) return unexpected(PartitionError{ErrorCode::NOT_LEADER_OR_FOLLOWER, "not the leader", -1});
  if (required_acks == -1 && static_cast<int32_t>(isr_.size()) < settings_.min_insync_replicas) {
    return unexpected(PartitionError{ErrorCode::NOT_ENOUGH_REPLICAS,
                                     "ISR size " + std::to_string(isr_.size()) + " < min.insync.replicas " +
                                         std::to_string(settings_.min_insync_replicas),
                                     -1});
  }
  ValidationLimits limits;
  limits.max_message_bytes = settings_.log.max_message_bytes;
  auto batches = split_batches(records);
  if (!batches) return unexpected(PartitionError{batches.error().error, batches.error().message, -1});
  if (batches->size() != 1) {
    return unexpected(PartitionError{ErrorCode::INVALID_RECORD,
                                     "produce request must carry exactly one record batch, got " +
                                         std::to_string(batches->size()),
                                     -1});
  }
  auto v = validate_batch((*batches)[0], limits);
  if (v.error != ErrorCode::NONE) return unexpected(PartitionError{v.error, v.message, v.record_index});
  batch::Header header((*batches)[0].data());
  if (!settings_.log_append_time && header.max_timestamp() >= 0) {
    int64_t ts = header.max_timestamp();
    bool too_old = settings_.timestamp_before_max_ms != INT64_MAX && ts < now_ms - settings_.timestamp_before_max_ms;
    bool too_new = settings_.timestamp_after_max_ms != INT64_MAX && ts > now_ms + settings_.timestamp_after_max_ms;
    if (too_old || too_new) {
      return unexpected(PartitionError{ErrorCode::INVALID_TIMESTAMP, "timestamp " + std::to_string(ts) +
                                                                          " is out of the accepted range", 0});
    }
  }
  std::optional<int64_t> append_time;
  if (settings_.log_append_time) append_time = now_ms;
  auto r = log_.append_as_leader((*batches)[0], leader_epoch_, append_time);
  if (!r) return unexpected(PartitionError{log::to_error_code(r.error().kind), r.error().message, -1});
  maybe_advance_high_watermark();
  return *r;
}

ReadResult Partition::read(int64_t fetch_offset, int32_t max_bytes, bool up_to_log_end, bool min_one_batch) const {
  ReadResult out;
  out.high_watermark = high_watermark_;
  out.log_start_offset = log_.log_start_offset();
  out.log_end_offset = log_.log_end_offset();
  int64_t max_offset = up_to_log_end ? out.log_end_offset : high_watermark_;
  if (fetch_offset < out.log_start_offset || fetch_offset > out.log_end_offset) {
    out.error = ErrorCode::OFFSET_OUT_OF_RANGE;
    return out;
  }
  if (fetch_offset >= max_offset) return out;
  auto data = log_.read(fetch_offset, max_bytes, max_offset, min_one_batch);
  if (!data) {
    out.error = log::to_error_code(data.error().kind);
    return out;
  }
  out.data = std::move(*data);
  return out;
}

}  // namespace gregor::broker
