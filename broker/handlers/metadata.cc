// Metadata handler: brokers on the request's listener, controller, topics (with auto-creation), partitions.
#include <algorithm>

#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "broker/topic_admin.h"
#include "protocol/messages/metadata.h"

namespace gregor::broker {
namespace {

MetadataResponse::MetadataResponsePartition describe_partition(const MetadataCache& cache, int32_t index,
                                                               const PartitionInfo& info, const std::string& listener,
                                                               int16_t version) {
  MetadataResponse::MetadataResponsePartition p;
  p.partition_index = index;
  p.leader_id = info.leader;
  p.leader_epoch = info.leader_epoch;
  p.replica_nodes = info.replicas;
  p.isr_nodes = info.isr;
  for (int32_t r : info.replicas) {
    bool offline = std::find(info.offline_replicas.begin(), info.offline_replicas.end(), r) != info.offline_replicas.end();
    if (offline || !cache.is_alive(r)) p.offline_replicas.push_back(r);
  }
  auto leader = cache.brokers.find(info.leader);
  if (leader == cache.brokers.end()) {
    p.error_code = code(ErrorCode::LEADER_NOT_AVAILABLE);
    p.leader_id = -1;
  } else if (!leader->second.endpoints.count(listener)) {
    p.error_code = code(version >= 6 ? ErrorCode::LISTENER_NOT_FOUND : ErrorCode::LEADER_NOT_AVAILABLE);
  } else if (version == 0 && !p.offline_replicas.empty()) {
    // v0 clients get the dead replicas filtered out and a warning code (ZkMetadataCache).
    auto dead = [&](int32_t id) { return !cache.is_alive(id); };
    std::erase_if(p.replica_nodes, dead);
    std::erase_if(p.isr_nodes, dead);
    p.error_code = code(ErrorCode::REPLICA_NOT_AVAILABLE);
  }
  return p;
}

}  // namespace

void KafkaApis::handle_metadata(Request& req, Reader& body) {
  auto request = decode_body<MetadataRequest>(req, body);
  if (!request) return;
  int16_t version = req.header.api_version;
  MetadataResponse resp;
  for (auto& [id, broker] : metadata_.brokers) {
    auto ep = broker.endpoints.find(req.listener_name);
    if (ep == broker.endpoints.end()) continue;
    resp.brokers.push_back({id, ep->second.host, ep->second.port, broker.rack});
  }
  resp.cluster_id = metadata_.cluster_id;
  resp.controller_id = metadata_.controller_id;

  std::vector<std::string> names;
  bool all = request->wants_all_topics(version);
  if (all) {
    for (auto& [name, t] : metadata_.topics) {
      if (!t.deleting) names.push_back(name);
    }
  } else {
    for (auto& t : *request->topics) names.push_back(t.name);
  }
  for (auto& name : names) {
    MetadataResponse::MetadataResponseTopic topic;
    topic.name = name;
    topic.is_internal = MetadataCache::is_internal(name);
    if (const TopicInfo* info = metadata_.topic(name)) {
      for (auto& [index, p] : info->partitions) {
        topic.partitions.push_back(describe_partition(metadata_, index, p, req.listener_name, version));
      }
    } else if (invalid_topic_name_reason(name)) {
      topic.error_code = code(ErrorCode::INVALID_TOPIC_EXCEPTION);
    } else if (config_.auto_create_topics_enable && request->allow_auto_topic_creation && !topic.is_internal) {
      admin_.auto_create_topic(name);
      topic.error_code = code(ErrorCode::LEADER_NOT_AVAILABLE);
    } else {
      topic.error_code = code(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
    }
    if (request->include_topic_authorized_operations) topic.topic_authorized_operations = 0x0ff8;  // no ACLs: all
    resp.topics.push_back(std::move(topic));
  }
  if (request->include_cluster_authorized_operations) resp.cluster_authorized_operations = 0x0ff8;
  req.respond(resp);
}

}  // namespace gregor::broker
