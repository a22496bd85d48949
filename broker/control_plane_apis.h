// ControlPlaneApis: the broker side of the controller's requests (LeaderAndIsr, UpdateMetadata, StopReplica,
// ControlledShutdown as Protobuf on the control listener): fencing, one request at a time, answers.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>

#include "broker/metadata_cache.h"
#include "broker/request.h"
#include "controller.pb.h"
#include "protocol/error_code.h"

namespace gregor::broker {

class ReplicaManager;

// §4.3 fencing of a controller request: STALE_BROKER_EPOCH when the request's broker epoch is older than
// ours (-1 on either side = unknown, accepted), STALE_CONTROLLER_EPOCH when its controller epoch is older
// than the highest seen; otherwise NONE and highest_controller_epoch is raised to the request's.
ErrorCode check_control_header(const proto::ControlHeader& header, int64_t own_broker_epoch,
                               int32_t& highest_controller_epoch);

// UpdateMetadata into the cache: live brokers replaced wholesale, the listed partitions replaced (leader -2:
// removed, and the topic with its last partition), controller id from the header.
void apply_update_metadata(MetadataCache& cache, const proto::UpdateMetadataRequest& request);

class ControlPlaneApis {
 public:
  using ControlledShutdownHandler = std::function<void(
      const proto::ControlledShutdownRequest&, std::function<void(proto::ControlledShutdownResponse)>)>;

  ControlPlaneApis(ReplicaManager& replicas, MetadataCache& metadata, std::function<int64_t()> broker_epoch);

  // KafkaApis' control handler: decodes the Protobuf body and queues the request (handled in arrival order).
  void handle(Request& req, std::span<const uint8_t> body);
  // The controller's side of ControlledShutdown (set by the Controller; NOT_CONTROLLER until then).
  void set_controlled_shutdown_handler(ControlledShutdownHandler h) { controlled_shutdown_ = std::move(h); }
  int32_t highest_controller_epoch() const { return controller_epoch_; }
  // Called after each UpdateMetadata is applied (the crash detector watches newly listed brokers at once).
  void set_metadata_listener(std::function<void()> f) { metadata_listener_ = std::move(f); }

 private:
  struct Queued {
    ApiKey key;
    int32_t correlation_id;
    Responder responder;
    std::string body;
  };
  void run_next();
  void finish(const Queued& q, const google::protobuf::MessageLite& response);
  void handle_leader_and_isr(const Queued& q);
  void handle_update_metadata(const Queued& q);
  void handle_stop_replica(const Queued& q);
  void handle_controlled_shutdown(const Queued& q);

  ReplicaManager& replicas_;
  MetadataCache& metadata_;
  std::function<int64_t()> broker_epoch_;
  ControlledShutdownHandler controlled_shutdown_;
  std::function<void()> metadata_listener_;
  int32_t controller_epoch_ = -1;  // highest seen
  std::deque<Queued> queue_;
  bool busy_ = false;
};

}  // namespace gregor::broker
