// ControllerBrokerRequestBatch: accumulates LeaderAndIsr, UpdateMetadata and StopReplica per broker during
// one controller operation and sends them in that order (Kafka's AbstractControllerBrokerRequestBatch, §4.1).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/controller/controller_channel_manager.h"
#include "broker/controller/controller_context.h"
#include "controller.pb.h"

namespace gregor::broker {

class ControllerBrokerRequestBatch {
 public:
  using StopReplicaHandler = std::function<void(int32_t broker, const proto::StopReplicaResponse&)>;

  ControllerBrokerRequestBatch(const ControllerContext& context, ControllerChannelManager& channels,
                               int32_t controller_id);

  // LeaderAndIsr with the partition's current leadership to `brokers`, plus UpdateMetadata for it to every
  // live or shutting-down broker (as Kafka's addLeaderAndIsrRequestForBrokers does).
  void add_leader_and_isr(const std::vector<int32_t>& brokers, const log::TopicPartition& tp, bool is_new);
  // UpdateMetadata to `brokers` for `partitions` (may be empty: then only the live broker list is sent).
  void add_update_metadata(const std::vector<int32_t>& brokers,
                           const std::vector<log::TopicPartition>& partitions);
  void add_stop_replica(int32_t broker, const log::TopicPartition& tp, bool delete_partition,
                        int32_t leader_epoch);
  void clear() {
    leader_and_isr_.clear();
    update_metadata_.clear();
    stop_replica_.clear();
  }
  bool empty() const { return leader_and_isr_.empty() && update_metadata_.empty() && stop_replica_.empty(); }

  // Sends everything (LeaderAndIsr, then UpdateMetadata, then StopReplica per broker; requests to brokers
  // without a channel are dropped) and clears the batch.
  void send(StopReplicaHandler on_stop_replica = {});

  // Protobuf views of the context, shared with tests.
  proto::PartitionState partition_state(const log::TopicPartition& tp, bool for_update_metadata) const;
  proto::LiveBroker live_broker(int32_t id) const;

 private:
  proto::ControlHeader header(int32_t broker) const;

  const ControllerContext& context_;
  ControllerChannelManager& channels_;
  int32_t controller_id_;
  std::map<int32_t, std::map<log::TopicPartition, bool>> leader_and_isr_;  // broker -> tp -> is_new
  std::map<int32_t, std::set<log::TopicPartition>> update_metadata_;
  std::map<int32_t, std::map<log::TopicPartition, std::pair<bool, int32_t>>> stop_replica_;  // delete, epoch
};

// Kafka's security protocol ids (0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL); -1 unknown.
int32_t security_protocol_id(const std::string& name);

}  // namespace gregor::broker
