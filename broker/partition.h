// Partition: one replica of a topic-partition on this broker — leader state, high watermark, validated appends.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/topic_config.h"
#include "log/log.h"
#include "protocol/error_code.h"
#include "protocol/result.h"

namespace gregor::broker {

struct PartitionError {
  ErrorCode code;
  std::string message;
  int32_t record_index = -1;  // for INVALID_RECORD / INVALID_TIMESTAMP (Produce v8 record_errors)
};

struct ReadResult {
  ErrorCode error = ErrorCode::NONE;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  int64_t log_end_offset = -1;
  log::FetchDataInfo data;
};

class Partition {
 public:
  Partition(log::TopicPartition tp, log::Log& log, TopicSettings settings, int32_t local_broker_id);

  const log::TopicPartition& topic_partition() const { return tp_; }
  log::Log& log() { return log_; }
  const TopicSettings& settings() const { return settings_; }
  void update_settings(TopicSettings s);

  // Leadership as decided by the controller (partition state znode).
  void make_leader(int32_t leader_epoch, std::vector<int32_t> replicas, std::vector<int32_t> isr, int32_t zk_version,
                   int64_t checkpointed_high_watermark);
  void make_follower(int32_t leader, int32_t leader_epoch, std::vector<int32_t> replicas, int32_t zk_version);
  bool is_leader() const { return leader_ == local_broker_id_; }
  int32_t leader() const { return leader_; }
  int32_t leader_epoch() const { return leader_epoch_; }
  const std::vector<int32_t>& isr() const { return isr_; }
  const std::vector<int32_t>& replicas() const { return replicas_; }

  int64_t high_watermark() const { return high_watermark_; }
  int64_t log_end_offset() const { return log_.log_end_offset(); }
  int64_t log_start_offset() const { return log_.log_start_offset(); }

  // Validates the produce payload (exactly one v2 batch, CRC, sizes, records) and appends it as leader.
  Result<log::AppendInfo, PartitionError> append_records_as_leader(std::span<uint8_t> records, int16_t required_acks,
                                                                   int64_t now_ms);

  // Reads for a consumer (up to the high watermark) or a follower (up to the log end offset).
  ReadResult read(int64_t fetch_offset, int32_t max_bytes, bool up_to_log_end, bool min_one_batch) const;

  // Checks a client's current_leader_epoch (-1 = no check).
  ErrorCode check_leader_epoch(int32_t current_leader_epoch) const;

 private:
  void maybe_advance_high_watermark();

  log::TopicPartition tp_;
  log::Log& log_;
  TopicSettings settings_;
  int32_t local_broker_id_;
  int32_t leader_ = -1;
  int32_t leader_epoch_ = -1;
  int32_t zk_version_ = 0;
  std::vector<int32_t> replicas_;
  std::vector<int32_t> isr_;
  int64_t high_watermark_ = 0;
};

}  // namespace gregor::broker
