// KafkaApis: decodes each request's header, checks the version, and runs the API's handler (KafkaApis.scala).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "broker/config.h"
#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "broker/network/connection.h"
#include "broker/replica_manager.h"
#include "broker/request.h"
#include "broker/topic_config.h"

namespace gregor {
struct DescribeConfigsRequest;
}

namespace gregor::coordinator {
class GroupCoordinator;
}

namespace gregor::broker {

class TopicAdmin;
class ProducerIdManager;

class KafkaApis {
 public:
  KafkaApis(const BrokerConfig& config, EventLoop& loop, MetadataCache& metadata, ReplicaManager& replicas,
            TopicAdmin& admin, ProducerIdManager& producer_ids, const TopicConfigs& topic_configs);

  // Entry point from the network: one complete frame.
  void handle_frame(Connection& conn, std::vector<uint8_t> frame, Responder responder);

  // Enables the group APIs (FindCoordinator, JoinGroup, ... OffsetCommit) served by this coordinator.
  void set_group_coordinator(coordinator::GroupCoordinator& groups);

  // Controller <-> broker Protobuf requests (LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown at
  // kControlApiVersion): body = the serialized message; the handler answers through req.responder.
  using ControlHandler = std::function<void(Request& req, std::span<const uint8_t> body)>;
  void set_control_handler(ControlHandler h) { control_handler_ = std::move(h); }

  // The ranges ApiVersions advertises: the codec's table restricted to APIs with a handler.
  std::vector<ApiVersionRange> advertised_versions() const;

 private:
  using Handler = void (KafkaApis::*)(Request&, Reader&);
  void handle_api_versions(Request& req, Reader& body);
  void handle_metadata(Request& req, Reader& body);
  void handle_produce(Request& req, Reader& body);
  void handle_fetch(Request& req, Reader& body);
  void handle_list_offsets(Request& req, Reader& body);
  void handle_create_topics(Request& req, Reader& body);
  void handle_delete_topics(Request& req, Reader& body);
  void handle_create_partitions(Request& req, Reader& body);
  void handle_describe_configs(Request& req, Reader& body);
  void describe_configs(const DescribeConfigsRequest& request,
                        const std::vector<std::map<std::string, std::string>>& overrides, const Request::ReplyTo& reply);
  void handle_init_producer_id(Request& req, Reader& body);
  void handle_offset_for_leader_epoch(Request& req, Reader& body);
  void handle_find_coordinator(Request& req, Reader& body);
  void handle_join_group(Request& req, Reader& body);
  void handle_sync_group(Request& req, Reader& body);
  void handle_heartbeat(Request& req, Reader& body);
  void handle_leave_group(Request& req, Reader& body);
  void handle_offset_commit(Request& req, Reader& body);
  void handle_offset_fetch(Request& req, Reader& body);
  void handle_describe_groups(Request& req, Reader& body);
  void handle_list_groups(Request& req, Reader& body);
  void handle_delete_groups(Request& req, Reader& body);

  void answer_unsupported_api_versions(Request& req);

  const BrokerConfig& config_;
  EventLoop& loop_;
  MetadataCache& metadata_;
  ReplicaManager& replicas_;
  TopicAdmin& admin_;
  ProducerIdManager& producer_ids_;
  const TopicConfigs& topic_configs_;
  coordinator::GroupCoordinator* groups_ = nullptr;
  std::map<ApiKey, Handler> handlers_;
  ControlHandler control_handler_;
};

}  // namespace gregor::broker
