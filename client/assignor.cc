// Partition assignors: the range and round-robin strategies, matching Java's outputs.
#include "client/assignor.h"

#include <algorithm>
#include <set>

namespace gregor::client {

namespace {

bool member_before(const MemberSubscription& a, const MemberSubscription& b) {
  if (a.group_instance_id && b.group_instance_id) return *a.group_instance_id < *b.group_instance_id;
  if (a.group_instance_id) return true;  // Java: members with an instance id come first
  if (b.group_instance_id) return false;
  return a.member_id < b.member_id;
}

std::vector<MemberSubscription> sorted_members(const std::vector<MemberSubscription>& members) {
  std::vector<MemberSubscription> out = members;
  std::ranges::sort(out, member_before);
  return out;
}

GroupAssignment empty_assignment(const std::vector<MemberSubscription>& members) {
  GroupAssignment out;
  for (const auto& m : members) out[m.member_id];
  return out;
}

bool subscribed(const MemberSubscription& m, const std::string& topic) {
  return std::ranges::find(m.topics, topic) != m.topics.end();
}

}  // namespace

GroupAssignment range_assign(const std::map<std::string, int32_t>& partitions_per_topic,
                             const std::vector<MemberSubscription>& members) {
  GroupAssignment out = empty_assignment(members);
  std::vector<MemberSubscription> ordered = sorted_members(members);
  for (const auto& [topic, count] : partitions_per_topic) {
    std::vector<const MemberSubscription*> subscribers;
    for (const auto& m : ordered)
      if (subscribed(m, topic)) subscribers.push_back(&m);
    if (subscribers.empty()) continue;
    int32_t n = static_cast<int32_t>(subscribers.size());
    int32_t per_member = count / n;
    int32_t with_extra = count % n;
    for (int32_t i = 0; i < n; ++i) {
      int32_t start = per_member * i + std::min(i, with_extra);
      int32_t length = per_member + (i < with_extra ? 1 : 0);
      auto& parts = out[subscribers[static_cast<size_t>(i)]->member_id];
      for (int32_t p = start; p < start + length; ++p) parts.push_back({topic, p});
    }
  }
  return out;
}

GroupAssignment round_robin_assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                   const std::vector<MemberSubscription>& members) {
  GroupAssignment out = empty_assignment(members);
  std::vector<MemberSubscription> ordered = sorted_members(members);
  if (ordered.empty()) return out;
  std::set<std::string> topics;
  for (const auto& m : ordered)
    for (const auto& t : m.topics)
      if (partitions_per_topic.contains(t)) topics.insert(t);
  size_t next = 0;
  for (const auto& topic : topics) {
    for (int32_t p = 0; p < partitions_per_topic.at(topic); ++p) {
      // Some member subscribes to the topic (it is in `topics`), so this loop ends.
      while (!subscribed(ordered[next % ordered.size()], topic)) ++next;
      out[ordered[next % ordered.size()].member_id].push_back({topic, p});
      ++next;
    }
  }
  return out;
}

std::optional<GroupAssignment> assign_by_name(const std::string& name,
                                              const std::map<std::string, int32_t>& partitions_per_topic,
                                              const std::vector<MemberSubscription>& members) {
  if (name == "range") return range_assign(partitions_per_topic, members);
  if (name == "roundrobin") return round_robin_assign(partitions_per_topic, members);
  return std::nullopt;
}

}  // namespace gregor::client
