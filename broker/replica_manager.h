// ReplicaManager: the partitions this broker hosts — LeaderAndIsr/StopReplica handling, leader appends and
// reads, follower fetch bookkeeping, ISR changes in ZooKeeper, delayed (long-poll) fetches and acks=all
// produce.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <vector>

#include "broker/config.h"
#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "broker/partition.h"
#include "broker/topic_config.h"
#include "controller.pb.h"
#include "log/log_manager.h"
#include "zk/kafka_zk_client.h"

namespace gregor::broker {

class ReplicaFetcherManager;

struct ProducePartitionResult {
  ErrorCode error = ErrorCode::NONE;
  std::string message;
  int32_t record_index = -1;
  int64_t base_offset = -1;
  int64_t last_offset = -1;
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

// An acks=all append waiting for the high watermark: the partition and the offset it must reach.
struct AckWait {
  log::TopicPartition tp;
  int64_t required_offset;  // last offset of the append + 1
};

class ReplicaManager {
 public:
  ReplicaManager(EventLoop& loop, log::LogManager& logs, const BrokerConfig& config, zk::KafkaZkClient& zk,
                 MetadataCache& metadata, const TopicConfigs& topic_configs);
  ~ReplicaManager();

  // Starts the ISR shrink task and the ISR change propagation task.
  void startup();
  // Stops the fetchers and answers every parked request.
  void shutdown();

  Partition* partition(const log::TopicPartition& tp) const;
  // The partition if this broker leads it at the client's current_leader_epoch (-1 = no check), else the
  // error to answer: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH.
  Result<Partition*, ErrorCode> leader_partition(const log::TopicPartition& tp,
                                                 int32_t current_leader_epoch) const;
  // Creates (or opens) the local log and the Partition object.
  Result<Partition*, std::string> get_or_create_partition(const log::TopicPartition& tp,
                                                          const TopicSettings& settings);
  void remove_partition(const log::TopicPartition& tp, bool delete_log);
  std::vector<Partition*> partitions() const;

  // LeaderAndIsr (spec/internals.md §4.3–4.4): per-partition epoch checks, log creation with the topic's
  // ZooKeeper config, makeLeader / makeFollower, fetchers. done runs once every partition is handled.
  void become_leader_or_follower(const proto::LeaderAndIsrRequest& request,
                                 std::function<void(proto::LeaderAndIsrResponse)> done);
  proto::StopReplicaResponse stop_replicas(const proto::StopReplicaRequest& request);

  ProducePartitionResult append(const log::TopicPartition& tp, std::span<uint8_t> records, int16_t acks);
  // acks=all: calls done (per wait: NONE, NOT_ENOUGH_REPLICAS_AFTER_APPEND, NOT_LEADER_OR_FOLLOWER or
  // REQUEST_TIMED_OUT) once every partition's high watermark reached its offset, or at the timeout.
  void wait_for_acks(std::vector<AckWait> waits, int64_t timeout_ms,
                     std::function<void(std::vector<ErrorCode>)> done);

  using FetchDone = std::function<void(std::vector<ReadResult>)>;
  // Answers at once when min_bytes are available, an error occurred or max_wait_ms is 0; otherwise parks the
  // fetch until enough data arrives or max_wait_ms passes. A follower's fetch (replica_id >= 0) first
  // updates the leader's view of it (log end offset, caught-up time, HW, ISR expansion).
  void fetch(const FetchParams& params, std::vector<FetchPartitionSpec> specs, FetchDone done);

  int64_t high_watermark_of(const log::TopicPartition& tp) const;

  // Observers of leadership changes (the group coordinator loads __consumer_offsets partitions it leads).
  using LeadershipListener = std::function<void(const log::TopicPartition&, bool is_leader)>;
  void set_leadership_listener(LeadershipListener l) { leadership_listener_ = std::move(l); }
  void notify_leadership(const log::TopicPartition& tp, bool is_leader) {
    if (leadership_listener_) leadership_listener_(tp, is_leader);
  }
  size_t delayed_fetch_count() const { return delayed_.size(); }
  size_t delayed_produce_count() const { return delayed_produce_.size(); }
  int32_t broker_id() const { return config_.broker_id; }
  const BrokerConfig& config() const { return config_; }
  EventLoop& loop() { return loop_; }

  // The ISR shrink pass (every replica.lag.time.max.ms / 2).
  void maybe_shrink_isr();
  // The ISR change propagation pass (every 2500 ms): one /isr_change_notification/isr_change_<seq>.
  void maybe_propagate_isr_changes();

 private:
  struct DelayedFetch {
    FetchParams params;
    std::vector<FetchPartitionSpec> specs;
    FetchDone done;
    std::unique_ptr<Timer> timer;
  };
  struct DelayedProduce {
    std::vector<AckWait> waits;
    std::vector<int32_t> leader_epochs;  // the epoch each append was made in
    std::vector<ErrorCode> results;
    std::vector<bool> pending;
    std::function<void(std::vector<ErrorCode>)> done;
    std::unique_ptr<Timer> timer;
  };
  std::vector<ReadResult> read_all(const FetchParams& params, const std::vector<FetchPartitionSpec>& specs,
                                   int64_t& total_bytes, bool& any_error) const;
  void try_complete_delayed();
  void complete_delayed(std::list<DelayedFetch>::iterator it);
  // Re-checks parked acks=all produces; on_timeout answers the pending ones with REQUEST_TIMED_OUT.
  void try_complete_delayed_produce();
  bool check_delayed_produce(DelayedProduce& d, bool timed_out);
  void on_high_watermark_changed();
  void propose_isr(Partition& p, std::vector<int32_t> new_isr, const char* why);

  void apply_leader_and_isr(const proto::LeaderAndIsrRequest& request,
                            const std::map<std::string, std::map<std::string, std::string>>& configs,
                            std::function<void(proto::LeaderAndIsrResponse)> done);

  EventLoop& loop_;
  log::LogManager& logs_;
  const BrokerConfig& config_;
  zk::KafkaZkClient& zk_;
  MetadataCache& metadata_;
  const TopicConfigs& topic_configs_;
  std::map<log::TopicPartition, std::unique_ptr<Partition>> partitions_;
  std::list<DelayedFetch> delayed_;
  std::list<DelayedProduce> delayed_produce_;
  LeadershipListener leadership_listener_;
  std::unique_ptr<ReplicaFetcherManager> fetchers_;
  std::vector<std::unique_ptr<Timer>> timers_;
  std::set<log::TopicPartition> pending_isr_changes_;
  int64_t last_isr_change_ms_ = 0;
  int64_t last_isr_propagation_ms_ = 0;
  bool isr_propagation_in_flight_ = false;
};

}  // namespace gregor::broker
