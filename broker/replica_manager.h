// ReplicaManager: the partitions this broker hosts; leader appends, reads, and delayed (long-poll) fetches.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "broker/event_loop.h"
#include "broker/partition.h"
#include "log/log_manager.h"

namespace gregor::broker {

struct ProducePartitionResult {
  ErrorCode error = ErrorCode::NONE;
  std::string message;
  int32_t record_index = -1;
  int64_t base_offset = -1;
  int64_t log_append_time = -1;
  int64_t log_start_offset = -1;
};

struct FetchPartitionSpec {
  log::TopicPartition tp;
  int64_t fetch_offset = 0;
  int32_t partition_max_bytes = 1048576;
  int32_t current_leader_epoch = -1;
};

struct FetchParams {
  int32_t replica_id = -1;  // >= 0 for a follower
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 1;
  int32_t max_bytes = 52428800;
};

class ReplicaManager {
 public:
  ReplicaManager(EventLoop& loop, log::LogManager& logs, int32_t broker_id);

  Partition* partition(const log::TopicPartition& tp) const;
  // The partition if this broker leads it at the client's current_leader_epoch (-1 = no check), else the
  // error to answer: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH.
  Result<Partition*, ErrorCode> leader_partition(const log::TopicPartition& tp, int32_t current_leader_epoch) const;
  // Creates (or opens) the local log and the Partition object.
  Result<Partition*, std::string> get_or_create_partition(const log::TopicPartition& tp, const TopicSettings& settings);
  void remove_partition(const log::TopicPartition& tp, bool delete_log);
  std::vector<Partition*> partitions() const;

  ProducePartitionResult append(const log::TopicPartition& tp, std::span<uint8_t> records, int16_t acks);

  using FetchDone = std::function<void(std::vector<ReadResult>)>;
  // Answers at once when min_bytes are available, an error occurred or max_wait_ms is 0; otherwise parks the
  // fetch until enough data arrives or max_wait_ms passes.
  void fetch(const FetchParams& params, std::vector<FetchPartitionSpec> specs, FetchDone done);

  int64_t high_watermark_of(const log::TopicPartition& tp) const;

  // Observers of leadership changes (the group coordinator loads __consumer_offsets partitions it leads).
  using LeadershipListener = std::function<void(const log::TopicPartition&, bool is_leader)>;
  void set_leadership_listener(LeadershipListener l) { leadership_listener_ = std::move(l); }
  void notify_leadership(const log::TopicPartition& tp, bool is_leader) {
    if (leadership_listener_) leadership_listener_(tp, is_leader);
  }
  size_t delayed_fetch_count() const { return delayed_.size(); }

 private:
  struct DelayedFetch {
    FetchParams params;
    std::vector<FetchPartitionSpec> specs;
    FetchDone done;
    std::unique_ptr<Timer> timer;
  };
  std::vector<ReadResult> read_all(const FetchParams& params, const std::vector<FetchPartitionSpec>& specs,
                                   int64_t& total_bytes, bool& any_error) const;
  void try_complete_delayed();
  void complete_delayed(std::list<DelayedFetch>::iterator it);

  EventLoop& loop_;
  log::LogManager& logs_;
  int32_t broker_id_;
  std::map<log::TopicPartition, std::unique_ptr<Partition>> partitions_;
  std::list<DelayedFetch> delayed_;
  LeadershipListener leadership_listener_;
};

}  // namespace gregor::broker
