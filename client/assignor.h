// Partition assignors run by the group leader: Kafka's RangeAssignor and RoundRobinAssignor as pure
// functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/topic_partition.h"

namespace gregor::client {

struct MemberSubscription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<std::string> topics;
};

// member id -> its partitions; every member has an entry, possibly empty.
using GroupAssignment = std::map<std::string, std::vector<TopicPartition>>;

// Members are ordered as Java orders MemberInfo: by group instance id when both have one, else by
// member id. Topics missing from partitions_per_topic (unknown to the leader) are skipped.

// "range": per topic, the ordered subscribers get consecutive partition ranges; the first
// (partitions % subscribers) members get one extra.
GroupAssignment range_assign(const std::map<std::string, int32_t>& partitions_per_topic,
                             const std::vector<MemberSubscription>& members);

// "roundrobin": all partitions sorted by topic and partition, dealt in turn to the ordered members,
// skipping members not subscribed to the partition's topic.
GroupAssignment round_robin_assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                   const std::vector<MemberSubscription>& members);

// Dispatch by protocol name ("range" or "roundrobin"); nullopt for an unknown name.
std::optional<GroupAssignment> assign_by_name(const std::string& name,
                                              const std::map<std::string, int32_t>& partitions_per_topic,
                                              const std::vector<MemberSubscription>& members);

}  // namespace gregor::client
