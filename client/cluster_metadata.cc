// ClusterMetadata: built from Metadata responses.
#include "client/cluster_metadata.h"

#include <algorithm>

namespace gregor::client {

ClusterMetadata ClusterMetadata::from_response(const MetadataResponse& response) {
  ClusterMetadata m;
  m.cluster_id = response.cluster_id;
  m.controller_id = response.controller_id;
  for (const auto& b : response.brokers) m.brokers[b.node_id] = BrokerInfo{b.node_id, b.host, b.port, b.rack};
  for (const auto& t : response.topics) {
    TopicInfo topic{t.name, static_cast<ErrorCode>(t.error_code), t.is_internal, {}};
    for (const auto& p : t.partitions) {
      topic.partitions.push_back(PartitionInfo{p.partition_index, static_cast<ErrorCode>(p.error_code),
                                               p.leader_id, p.leader_epoch, p.replica_nodes, p.isr_nodes,
                                               p.offline_replicas});
    }
    std::ranges::sort(topic.partitions, {}, &PartitionInfo::partition);
    m.topics[t.name] = std::move(topic);
  }
  return m;
}

void ClusterMetadata::merge(const ClusterMetadata& newer) {
  if (newer.cluster_id) cluster_id = newer.cluster_id;
  controller_id = newer.controller_id;
  if (!newer.brokers.empty()) brokers = newer.brokers;
  for (const auto& [name, t] : newer.topics) topics[name] = t;
}

const TopicInfo* ClusterMetadata::topic(const std::string& name) const {
  auto it = topics.find(name);
  return it == topics.end() ? nullptr : &it->second;
}

const BrokerInfo* ClusterMetadata::broker(int32_t node_id) const {
  auto it = brokers.find(node_id);
  return it == brokers.end() ? nullptr : &it->second;
}

std::optional<int32_t> ClusterMetadata::leader_for(const std::string& topic_name, int32_t partition) const {
  const TopicInfo* t = topic(topic_name);
  if (t == nullptr) return std::nullopt;
  for (const auto& p : t->partitions) {
    if (p.partition == partition) {
      if (p.leader < 0 || broker(p.leader) == nullptr) return std::nullopt;
      return p.leader;
    }
  }
  return std::nullopt;
}

}  // namespace gregor::client
