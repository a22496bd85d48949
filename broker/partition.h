// Partition: one replica of a topic-partition on this broker — leader state, high watermark, validated
// appends.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/replica_state.h"
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

// The controller's decision for this partition (LeaderAndIsr partition state).
struct LeadershipState {
  int32_t controller_epoch = 0;
  int32_t leader = -1;
  int32_t leader_epoch = -1;
  std::vector<int32_t> isr;
  std::vector<int32_t> replicas;
  int32_t zk_version = 0;  // partition epoch
};

// What a follower's fetch changed on the leader.
struct FollowerFetchOutcome {
  bool high_watermark_changed = false;
  std::optional<std::vector<int32_t>> expand_isr_to;  // propose this ISR (follower caught up)
};

class Partition {
 public:
  Partition(log::TopicPartition tp, log::Log& log, TopicSettings settings, int32_t local_broker_id);

  const log::TopicPartition& topic_partition() const { return tp_; }
  log::Log& log() { return log_; }
  const TopicSettings& settings() const { return settings_; }
  void update_settings(TopicSettings s);

  // ISR lag limit and broker liveness used by the high watermark and ISR decisions.
  void configure_replication(int64_t lag_max_ms, std::function<bool(int32_t)> is_alive);

  // Leadership as decided by the controller (partition state znode). checkpointed_high_watermark seeds the
  // high watermark the first time only (replication-offset-checkpoint); later it carries over.
  void make_leader(const LeadershipState& s, int64_t checkpointed_high_watermark, int64_t now_ms);
  // Returns true iff the leader epoch increased.
  bool make_follower(const LeadershipState& s, int64_t checkpointed_high_watermark);
  // Single-broker forms kept for the lone-broker TopicAdmin.
  void make_leader(int32_t leader_epoch, std::vector<int32_t> replicas, std::vector<int32_t> isr,
                   int32_t zk_version, int64_t checkpointed_high_watermark);
  void make_follower(int32_t leader, int32_t leader_epoch, std::vector<int32_t> replicas, int32_t zk_version);
  int32_t controller_epoch() const { return controller_epoch_; }
  int32_t zk_version() const { return zk_version_; }
  int64_t leader_epoch_start_offset() const { return leader_epoch_start_offset_; }

  // Leader: a follower fetched at fetch_offset.
  FollowerFetchOutcome update_follower_fetch_state(int32_t replica_id, int64_t fetch_offset, int64_t now_ms);
  // Leader: ISR members to drop (not caught up within replica.lag.time.max.ms).
  std::vector<int32_t> out_of_sync_replicas(int64_t now_ms) const;
  // Leader: an ISR change was written to ZooKeeper; returns true if the high watermark moved.
  bool commit_isr(std::vector<int32_t> isr, int32_t zk_version, int64_t now_ms);
  bool isr_change_in_flight() const { return isr_change_in_flight_; }
  void set_isr_change_in_flight(bool v) { isr_change_in_flight_ = v; }
  // Leader: recomputes the high watermark; true if it moved.
  bool maybe_advance_high_watermark(int64_t now_ms);
  int32_t effective_min_isr() const;

  // Follower: appends the leader's batches (offsets kept), then HW = min(leader HW, log end offset).
  Result<log::AppendInfo, log::LogError> append_records_as_follower(std::span<const uint8_t> records,
                                                                    int64_t leader_high_watermark,
                                                                    int64_t leader_log_start_offset);
  // Follower: drops everything >= offset (log, epoch cache, producer state); HW capped at the new end.
  void truncate_to(int64_t offset);
  void truncate_fully_and_start_at(int64_t offset);
  bool is_leader() const { return leader_ == local_broker_id_; }
  int32_t leader() const { return leader_; }
  int32_t leader_epoch() const { return leader_epoch_; }
  const std::vector<int32_t>& isr() const { return isr_; }
  const std::vector<int32_t>& replicas() const { return replicas_; }

  int64_t high_watermark() const { return high_watermark_; }
  int64_t log_end_offset() const { return log_.log_end_offset(); }
  int64_t log_start_offset() const { return log_.log_start_offset(); }

  // Validates the produce payload (exactly one v2 batch, CRC, sizes, records) and appends it as leader.
  Result<log::AppendInfo, PartitionError> append_records_as_leader(std::span<uint8_t> records,
                                                                   int16_t required_acks, int64_t now_ms);

  // Reads for a consumer (up to the high watermark) or a follower (up to the log end offset).
  ReadResult read(int64_t fetch_offset, int32_t max_bytes, bool up_to_log_end, bool min_one_batch) const;

  // Checks a client's current_leader_epoch (-1 = no check).
  ErrorCode check_leader_epoch(int32_t current_leader_epoch) const;

 private:
  void init_high_watermark(int64_t checkpointed_high_watermark);

  log::TopicPartition tp_;
  log::Log& log_;
  TopicSettings settings_;
  int32_t local_broker_id_;
  int32_t leader_ = -1;
  int32_t leader_epoch_ = -1;
  int32_t zk_version_ = 0;
  int32_t controller_epoch_ = 0;
  std::vector<int32_t> replicas_;
  std::vector<int32_t> isr_;
  int64_t high_watermark_ = 0;
  bool high_watermark_initialized_ = false;
  int64_t leader_epoch_start_offset_ = 0;
  std::map<int32_t, ReplicaFetchState> followers_;  // leader only: every replica but this broker
  bool isr_change_in_flight_ = false;
  int64_t lag_max_ms_ = 30000;
  std::function<bool(int32_t)> is_alive_;
};

}  // namespace gregor::broker
