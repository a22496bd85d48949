// KafkaApis: header decoding, version checks, dispatch to the per-API handlers in broker/handlers/.
#include "broker/kafka_apis.h"

#include "broker/logging.h"
#include "broker/network/outbound_connection.h"

namespace gregor::broker {

KafkaApis::KafkaApis(const BrokerConfig& config, EventLoop& loop, MetadataCache& metadata, ReplicaManager& replicas,
                     TopicAdmin& admin, ProducerIdManager& producer_ids, const TopicConfigs& topic_configs)
    : config_(config),
      loop_(loop),
      metadata_(metadata),
      replicas_(replicas),
      admin_(admin),
      producer_ids_(producer_ids),
      topic_configs_(topic_configs) {
  handlers_ = {
      {ApiKey::Produce, &KafkaApis::handle_produce},
      {ApiKey::Fetch, &KafkaApis::handle_fetch},
      {ApiKey::ListOffsets, &KafkaApis::handle_list_offsets},
      {ApiKey::Metadata, &KafkaApis::handle_metadata},
      {ApiKey::ApiVersions, &KafkaApis::handle_api_versions},
      {ApiKey::CreateTopics, &KafkaApis::handle_create_topics},
      {ApiKey::DeleteTopics, &KafkaApis::handle_delete_topics},
      {ApiKey::InitProducerId, &KafkaApis::handle_init_producer_id},
      {ApiKey::OffsetForLeaderEpoch, &KafkaApis::handle_offset_for_leader_epoch},
      {ApiKey::DescribeConfigs, &KafkaApis::handle_describe_configs},
      {ApiKey::CreatePartitions, &KafkaApis::handle_create_partitions},
  };
}

void KafkaApis::set_group_coordinator(coordinator::GroupCoordinator& groups) {
  groups_ = &groups;
  handlers_[ApiKey::FindCoordinator] = &KafkaApis::handle_find_coordinator;
  handlers_[ApiKey::JoinGroup] = &KafkaApis::handle_join_group;
  handlers_[ApiKey::SyncGroup] = &KafkaApis::handle_sync_group;
  handlers_[ApiKey::Heartbeat] = &KafkaApis::handle_heartbeat;
  handlers_[ApiKey::LeaveGroup] = &KafkaApis::handle_leave_group;
  handlers_[ApiKey::OffsetCommit] = &KafkaApis::handle_offset_commit;
  handlers_[ApiKey::OffsetFetch] = &KafkaApis::handle_offset_fetch;
  handlers_[ApiKey::DescribeGroups] = &KafkaApis::handle_describe_groups;
  handlers_[ApiKey::ListGroups] = &KafkaApis::handle_list_groups;
  handlers_[ApiKey::DeleteGroups] = &KafkaApis::handle_delete_groups;
}

std::vector<ApiVersionRange> KafkaApis::advertised_versions() const {
  std::vector<ApiVersionRange> out;
  for (auto& range : api_versions_table()) {
    if (handlers_.count(range.key)) out.push_back(range);
  }
  return out;
}

namespace {
bool is_control_request(const RequestHeader& h) {
  bool control_key = h.api_key == ApiKey::LeaderAndIsr || h.api_key == ApiKey::StopReplica ||
                     h.api_key == ApiKey::UpdateMetadata || h.api_key == ApiKey::ControlledShutdown;
  return control_key && h.api_version == kControlApiVersion;
}
}  // namespace

void KafkaApis::handle_frame(Connection& conn, std::vector<uint8_t> frame, Responder responder) {
  Request req;
  req.frame = std::move(frame);
  req.peer_host = conn.peer_host();
  req.listener_name = conn.listener_name();
  req.responder = std::move(responder);
  Reader reader(std::span<uint8_t>(req.frame));
  auto header = decode_request_header(reader);
  if (!header) {
    logger("net")->warn("malformed request header from {}: {}", conn.peer(), header.error());
    return req.responder.close_connection("malformed request header");
  }
  req.header = std::move(*header);
  if (is_control_request(req.header) && control_handler_) {
    req.body_offset = reader.position();
    auto body = req.body();
    return control_handler_(req, body);
  }
  auto it = handlers_.find(req.header.api_key);
  bool known = it != handlers_.end();
  if (!known || !req.header.is_supported) {
    // An ApiVersions newer than ours gets Kafka's v0 fallback answer so the client can retry (KIP-511).
    if (req.header.api_key == ApiKey::ApiVersions) return answer_unsupported_api_versions(req);
    logger("net")->warn("unsupported request from {} (client_id '{}'): api key {} version {}; closing", conn.peer(),
                        req.client_id(), static_cast<int>(req.header.api_key), req.header.api_version);
    return req.responder.close_connection("unsupported api key or version");
  }
  req.body_offset = reader.position();
  Reader body(req.body());
  try {
    (this->*(it->second))(req, body);
  } catch (const std::exception& e) {
    // A bug, not an expected failure: report it loudly, drop this client, keep serving everyone else.
    logger("broker")->error("handler for {} v{} from {} failed: {}", to_string(req.header.api_key),
                            req.header.api_version, conn.peer(), e.what());
    req.responder.close_connection("internal error");
  }
}

}  // namespace gregor::broker
