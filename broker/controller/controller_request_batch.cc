// ControllerBrokerRequestBatch: builds the Protobuf control requests from the controller context and sends
// them.
#include "broker/controller/controller_request_batch.h"

#include <algorithm>

#include "broker/logging.h"
#include "protocol/error_code.h"

namespace gregor::broker {
namespace {

// The broker removes a partition from its metadata cache when it sees this leader (LeaderDuringDelete).
constexpr int32_t kLeaderDuringDelete = -2;

void log_errors(const char* api, int32_t broker, int32_t error,
                const google::protobuf::RepeatedPtrField<proto::PartitionError>& partitions) {
  if (error != 0) {
    logger("controller")
        ->warn("{} to broker {} failed: {}", api, broker, to_string(static_cast<ErrorCode>(error)));
  }
  for (const auto& p : partitions) {
    if (p.error_code() != 0) {
      logger("controller")
          ->warn("{} to broker {}: {}-{}: {}", api, broker, p.topic(), p.partition(),
                 to_string(static_cast<ErrorCode>(p.error_code())));
    }
  }
}

}  // namespace

int32_t security_protocol_id(const std::string& name) {
  if (name == "PLAINTEXT") return 0;
  if (name == "SSL") return 1;
  if (name == "SASL_PLAINTEXT") return 2;
  if (name == "SASL_SSL") return 3;
  return -1;
}

ControllerBrokerRequestBatch::ControllerBrokerRequestBatch(const ControllerContext& context,
                                                           ControllerChannelManager& channels,
                                                           int32_t controller_id)
    : context_(context), channels_(channels), controller_id_(controller_id) {}

void ControllerBrokerRequestBatch::add_leader_and_isr(const std::vector<int32_t>& brokers,
                                                      const log::TopicPartition& tp, bool is_new) {
  for (int32_t b : brokers) {
    if (b < 0) continue;
    auto& entry = leader_and_isr_[b];
    entry[tp] = entry.count(tp) ? (entry[tp] || is_new) : is_new;
  }
  add_update_metadata(context_.live_or_shutting_down_ids(), {tp});
}

void ControllerBrokerRequestBatch::add_update_metadata(const std::vector<int32_t>& brokers,
                                                       const std::vector<log::TopicPartition>& partitions) {
  for (int32_t b : brokers) {
    auto& entry = update_metadata_[b];
    entry.insert(partitions.begin(), partitions.end());
  }
}

void ControllerBrokerRequestBatch::add_stop_replica(int32_t broker, const log::TopicPartition& tp,
                                                    bool delete_partition, int32_t leader_epoch) {
  auto& entry = stop_replica_[broker];
  auto it = entry.find(tp);
  // A deletion wins over a plain stop for the same partition.
  if (it == entry.end() || delete_partition) entry[tp] = {delete_partition, leader_epoch};
}

proto::ControlHeader ControllerBrokerRequestBatch::header(int32_t broker) const {
  proto::ControlHeader h;
  h.set_controller_id(controller_id_);
  h.set_controller_epoch(context_.epoch);
  h.set_broker_epoch(context_.broker_epoch(broker));
  return h;
}

proto::LiveBroker ControllerBrokerRequestBatch::live_broker(int32_t id) const {
  proto::LiveBroker lb;
  lb.set_id(id);
  auto it = context_.brokers.find(id);
  if (it == context_.brokers.end()) return lb;
  const auto& reg = it->second.registration;
  for (const auto& ep : reg.endpoints) {
    auto* e = lb.add_endpoints();
    e->set_listener(ep.listener_name);
    e->set_host(ep.host);
    e->set_port(ep.port);
    auto proto_it = reg.security_protocol_map.find(ep.listener_name);
    e->set_security_protocol(security_protocol_id(
        proto_it == reg.security_protocol_map.end() ? ep.listener_name : proto_it->second));
  }
  if (reg.rack) lb.set_rack(*reg.rack);
  return lb;
}

proto::PartitionState ControllerBrokerRequestBatch::partition_state(const log::TopicPartition& tp,
                                                                    bool for_update_metadata) const {
  proto::PartitionState ps;
  ps.set_topic(tp.topic);
  ps.set_partition(tp.partition);
  auto tid = context_.topic_ids.find(tp.topic);
  if (tid != context_.topic_ids.end()) ps.set_topic_id(tid->second);
  auto a = context_.assignment.find(tp);
  if (a != context_.assignment.end()) {
    for (int32_t r : a->second) {
      ps.add_replicas(r);
      if (for_update_metadata && !context_.brokers.count(r)) ps.add_offline_replicas(r);
    }
  }
  auto l = context_.leadership.find(tp);
  if (l != context_.leadership.end()) {
    ps.set_controller_epoch(l->second.state.controller_epoch);
    ps.set_leader(l->second.state.leader);
    ps.set_leader_epoch(l->second.state.leader_epoch);
    for (int32_t r : l->second.state.isr) ps.add_isr(r);
    ps.set_partition_epoch(l->second.zk_version);
  } else {
    ps.set_leader(-1);
  }
  if (for_update_metadata && context_.topics_to_delete.count(tp.topic)) ps.set_leader(kLeaderDuringDelete);
  return ps;
}

void ControllerBrokerRequestBatch::send(StopReplicaHandler on_stop_replica) {
  for (auto& [broker, partitions] : leader_and_isr_) {
    proto::LeaderAndIsrRequest req;
    *req.mutable_header() = header(broker);
    std::set<int32_t> leaders;
    for (auto& [tp, is_new] : partitions) {
      auto ps = partition_state(tp, false);
      ps.set_is_new(is_new);
      if (ps.leader() >= 0) leaders.insert(ps.leader());
      *req.add_partitions() = std::move(ps);
    }
    for (int32_t l : leaders) {
      if (context_.brokers.count(l)) *req.add_live_leaders() = live_broker(l);
    }
    channels_.send(broker, ApiKey::LeaderAndIsr, req.SerializeAsString(),
                   [broker](std::span<const uint8_t> body) {
                     proto::LeaderAndIsrResponse resp;
                     if (!resp.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
                       logger("controller")->warn("malformed LeaderAndIsr response from broker {}", broker);
                       return;
                     }
                     log_errors("LeaderAndIsr", broker, resp.error_code(), resp.partitions());
                   });
  }
  for (auto& [broker, partitions] : update_metadata_) {
    proto::UpdateMetadataRequest req;
    *req.mutable_header() = header(broker);
    for (int32_t id : context_.live_or_shutting_down_ids()) *req.add_live_brokers() = live_broker(id);
    for (const auto& tp : partitions) *req.add_partitions() = partition_state(tp, true);
    channels_.send(broker, ApiKey::UpdateMetadata, req.SerializeAsString(),
                   [broker](std::span<const uint8_t> body) {
                     proto::UpdateMetadataResponse resp;
                     if (!resp.ParseFromArray(body.data(), static_cast<int>(body.size()))) return;
                     if (resp.error_code() != 0) {
                       logger("controller")
                           ->warn("UpdateMetadata to broker {} failed: {}", broker,
                                  to_string(static_cast<ErrorCode>(resp.error_code())));
                     }
                   });
  }
  for (auto& [broker, partitions] : stop_replica_) {
    proto::StopReplicaRequest req;
    *req.mutable_header() = header(broker);
    for (auto& [tp, spec] : partitions) {
      auto* p = req.add_partitions();
      p->set_topic(tp.topic);
      p->set_partition(tp.partition);
      p->set_delete_partition(spec.first);
      p->set_leader_epoch(spec.second);
    }
    channels_.send(broker, ApiKey::StopReplica, req.SerializeAsString(),
                   [broker, on_stop_replica](std::span<const uint8_t> body) {
                     proto::StopReplicaResponse resp;
                     if (!resp.ParseFromArray(body.data(), static_cast<int>(body.size()))) return;
                     log_errors("StopReplica", broker, resp.error_code(), resp.partitions());
                     if (on_stop_replica) on_stop_replica(broker, resp);
                   });
  }
  leader_and_isr_.clear();
  update_metadata_.clear();
  stop_replica_.clear();
}

}  // namespace gregor::broker
