// ControlPlaneApis: fencing (§4.3), LeaderAndIsr → ReplicaManager, UpdateMetadata → MetadataCache,
// StopReplica, ControlledShutdown → the controller; responses = response header v0 + serialized Protobuf.
#include "broker/control_plane_apis.h"

#include "broker/logging.h"
#include "broker/replica_manager.h"
#include "protocol/writer.h"

namespace gregor::broker {

ErrorCode check_control_header(const proto::ControlHeader& header, int64_t own_broker_epoch,
                               int32_t& highest_controller_epoch) {
  if (header.broker_epoch() >= 0 && own_broker_epoch >= 0 && header.broker_epoch() < own_broker_epoch) {
    return ErrorCode::STALE_BROKER_EPOCH;
  }
  if (header.controller_epoch() < highest_controller_epoch) return ErrorCode::STALE_CONTROLLER_EPOCH;
  highest_controller_epoch = header.controller_epoch();
  return ErrorCode::NONE;
}

void apply_update_metadata(MetadataCache& cache, const proto::UpdateMetadataRequest& request) {
  cache.controller_id = request.header().controller_id();
  cache.brokers.clear();
  for (auto& lb : request.live_brokers()) {
    LiveBroker b;
    b.id = lb.id();
    if (!lb.rack().empty()) b.rack = lb.rack();
    for (auto& ep : lb.endpoints()) b.endpoints[ep.listener()] = {ep.host(), ep.port()};
    cache.brokers[b.id] = std::move(b);
  }
  for (auto& ps : request.partitions()) {
    if (ps.leader() == -2) {
      auto t = cache.topics.find(ps.topic());
      if (t == cache.topics.end()) continue;
      t->second.partitions.erase(ps.partition());
      if (t->second.partitions.empty()) cache.topics.erase(t);
      continue;
    }
    auto& topic = cache.topics[ps.topic()];
    if (!ps.topic_id().empty()) topic.topic_id = ps.topic_id();
    topic.deleting = false;
    PartitionInfo& info = topic.partitions[ps.partition()];
    info.leader = ps.leader();
    info.leader_epoch = ps.leader_epoch();
    info.isr.assign(ps.isr().begin(), ps.isr().end());
    info.replicas.assign(ps.replicas().begin(), ps.replicas().end());
    info.offline_replicas.assign(ps.offline_replicas().begin(), ps.offline_replicas().end());
    info.zk_version = ps.partition_epoch();
  }
}

ControlPlaneApis::ControlPlaneApis(ReplicaManager& replicas, MetadataCache& metadata,
                                   std::function<int64_t()> broker_epoch)
    : replicas_(replicas), metadata_(metadata), broker_epoch_(std::move(broker_epoch)) {}

void ControlPlaneApis::handle(Request& req, std::span<const uint8_t> body) {
  queue_.push_back(Queued{req.header.api_key, req.header.correlation_id, req.responder,
                          std::string(reinterpret_cast<const char*>(body.data()), body.size())});
  if (!busy_) run_next();
}

void ControlPlaneApis::run_next() {
  // Kafka's replicaStateChangeLock: control requests are applied one after the other, each to completion.
  while (!busy_ && !queue_.empty()) {
    Queued q = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    switch (q.key) {
      case ApiKey::LeaderAndIsr:
        handle_leader_and_isr(q);
        break;
      case ApiKey::UpdateMetadata:
        handle_update_metadata(q);
        break;
      case ApiKey::StopReplica:
        handle_stop_replica(q);
        break;
      default:
        handle_controlled_shutdown(q);
        break;
    }
  }
}

namespace {
// Response frame body: response header v0 (the correlation id), then the serialized message.
void send_proto(const Responder& responder, int32_t correlation_id,
                const google::protobuf::MessageLite& message) {
  Writer w;
  w.write_int32(correlation_id);
  std::string bytes = message.SerializeAsString();
  std::vector<uint8_t> out(w.buffer());
  out.insert(out.end(), bytes.begin(), bytes.end());
  responder.send(Response{std::move(out), {}});
}
}  // namespace

void ControlPlaneApis::finish(const Queued& q, const google::protobuf::MessageLite& response) {
  send_proto(q.responder, q.correlation_id, response);
  busy_ = false;
}

void ControlPlaneApis::handle_leader_and_isr(const Queued& q) {
  proto::LeaderAndIsrRequest req;
  proto::LeaderAndIsrResponse resp;
  if (!req.ParseFromString(q.body)) {
    logger("replica")->warn("malformed LeaderAndIsr request");
    q.responder.close_connection("malformed LeaderAndIsr");
    busy_ = false;
    return;
  }
  auto err = check_control_header(req.header(), broker_epoch_(), controller_epoch_);
  if (err != ErrorCode::NONE) {
    logger("replica")->warn("LeaderAndIsr from controller {} (epoch {}, broker epoch {}) refused: {}",
                            req.header().controller_id(), req.header().controller_epoch(),
                            req.header().broker_epoch(), to_string(err));
    resp.set_error_code(static_cast<int32_t>(err));
    finish(q, resp);
    return run_next();
  }
  replicas_.become_leader_or_follower(req, [this, q](proto::LeaderAndIsrResponse r) {
    finish(q, r);
    run_next();
  });
}

void ControlPlaneApis::handle_update_metadata(const Queued& q) {
  proto::UpdateMetadataRequest req;
  proto::UpdateMetadataResponse resp;
  if (!req.ParseFromString(q.body)) {
    q.responder.close_connection("malformed UpdateMetadata");
    busy_ = false;
    return;
  }
  auto err = check_control_header(req.header(), broker_epoch_(), controller_epoch_);
  if (err != ErrorCode::NONE) {
    logger("replica")->warn("UpdateMetadata from controller {} (epoch {}) refused: {}",
                            req.header().controller_id(), req.header().controller_epoch(), to_string(err));
  } else {
    apply_update_metadata(metadata_, req);
    if (metadata_listener_) metadata_listener_();
  }
  resp.set_error_code(static_cast<int32_t>(err));
  finish(q, resp);
}

void ControlPlaneApis::handle_stop_replica(const Queued& q) {
  proto::StopReplicaRequest req;
  if (!req.ParseFromString(q.body)) {
    q.responder.close_connection("malformed StopReplica");
    busy_ = false;
    return;
  }
  proto::StopReplicaResponse resp;
  auto err = check_control_header(req.header(), broker_epoch_(), controller_epoch_);
  if (err != ErrorCode::NONE) {
    logger("replica")->warn("StopReplica from controller {} (epoch {}) refused: {}",
                            req.header().controller_id(), req.header().controller_epoch(), to_string(err));
    resp.set_error_code(static_cast<int32_t>(err));
  } else {
    resp = replicas_.stop_replicas(req);
  }
  finish(q, resp);
}

void ControlPlaneApis::handle_controlled_shutdown(const Queued& q) {
  proto::ControlledShutdownRequest req;
  if (!req.ParseFromString(q.body)) {
    q.responder.close_connection("malformed ControlledShutdown");
    busy_ = false;
    return;
  }
  if (!controlled_shutdown_) {
    proto::ControlledShutdownResponse resp;
    resp.set_error_code(static_cast<int32_t>(ErrorCode::NOT_CONTROLLER));
    return finish(q, resp);
  }
  // The controller answers later; other control requests need not wait for it.
  busy_ = false;
  controlled_shutdown_(
      req, [q](proto::ControlledShutdownResponse resp) { send_proto(q.responder, q.correlation_id, resp); });
}

}  // namespace gregor::broker
