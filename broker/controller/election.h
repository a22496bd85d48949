// Leader election strategies, ISR shrinking and leader-imbalance computation: the controller's decisions as
// pure functions (Kafka's PartitionLeaderElectionAlgorithms and checkAndTriggerAutoLeaderRebalance, internals
// §3.8/§3.12).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "log/topic_partition.h"

namespace gregor::broker {

// The outcome of one election: the new leader, the new ISR and who gets the LeaderAndIsr. The caller bumps
// the leader epoch (every successful election does).
struct Election {
  int32_t leader = -1;
  std::vector<int32_t> isr;
  std::vector<int32_t> recipients;
  bool unclean = false;  // the leader was not in the ISR (data may be lost)
  bool operator==(const Election&) const = default;
};

// Offline: first assigned replica that is live and in the ISR; else, if unclean election is allowed, the
// first live assigned replica. New ISR = live part of the old ISR if the leader is in it, else [leader].
// Recipients = live assigned replicas. nullopt: no eligible leader (the partition stays offline).
std::optional<Election> elect_offline(const std::vector<int32_t>& assignment, const std::vector<int32_t>& isr,
                                      const std::set<int32_t>& live, bool allow_unclean);

// Preferred: the assignment head iff it is live and in the ISR; ISR unchanged; recipients = live assigned
// replicas.
std::optional<Election> elect_preferred(const std::vector<int32_t>& assignment,
                                        const std::vector<int32_t>& isr, const std::set<int32_t>& live);

// ControlledShutdown: first assigned replica that is live (shutting-down brokers count as live), in the ISR
// and not shutting down; new ISR = old ISR minus shutting-down brokers; recipients = live-or-shutting-down
// assigned replicas.
std::optional<Election> elect_controlled_shutdown(const std::vector<int32_t>& assignment,
                                                  const std::vector<int32_t>& isr,
                                                  const std::set<int32_t>& live,
                                                  const std::set<int32_t>& shutting_down);

// NewPartition → OnlinePartition: leader = first live replica, ISR = all live replicas (assignment order),
// recipients = the ISR. nullopt when no replica is live.
std::optional<Election> elect_new_partition(const std::vector<int32_t>& assignment,
                                            const std::set<int32_t>& live);

// OfflineReplica: the ISR without `broker`; a single-member ISR is never emptied (Kafka keeps the last member
// so that it can come back as a clean leader). The leader becomes -1 if it was `broker`.
struct IsrRemoval {
  int32_t leader = -1;
  std::vector<int32_t> isr;
  bool operator==(const IsrRemoval&) const = default;
};
IsrRemoval remove_from_isr(int32_t leader, const std::vector<int32_t>& isr, int32_t broker);

// Auto rebalance: per preferred broker B (assignment head), imbalance = #partitions whose leader != B /
// #partitions preferring B. Partitions of `excluded` topics (being deleted) are ignored.
struct PartitionLeadership {
  std::vector<int32_t> assignment;
  int32_t leader = -1;
  std::vector<int32_t> isr;
};
std::map<int32_t, double> leader_imbalance(
    const std::map<log::TopicPartition, PartitionLeadership>& partitions,
    const std::set<std::string>& excluded = {});

// The partitions a rebalance moves back to their preferred leader: those of brokers whose imbalance exceeds
// percentage/100, not led by the preferred replica, whose preferred replica is live and in the ISR.
std::vector<log::TopicPartition> partitions_to_rebalance(
    const std::map<log::TopicPartition, PartitionLeadership>& partitions, const std::set<int32_t>& live,
    int32_t imbalance_percentage, const std::set<std::string>& excluded = {});

}  // namespace gregor::broker
