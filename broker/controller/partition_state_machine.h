// PartitionStateMachine: the controller's per-partition states and Kafka's valid-transition table (internals
// §3.6).
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "log/topic_partition.h"

namespace gregor::broker {

// Kafka's byte values.
enum class PartitionStateKind : int8_t {
  NewPartition = 0,
  OnlinePartition = 1,
  OfflinePartition = 2,
  NonExistentPartition = 3,
};

std::string_view to_string(PartitionStateKind s);

// Valid previous states of `target` (Kafka's PartitionState.validPreviousStates).
bool is_valid_partition_transition(PartitionStateKind from, PartitionStateKind target);

// The states of every partition the controller knows; unknown partitions are NonExistentPartition. The
// actions of each transition (elections, znode writes, requests) live in the Controller; this only guards and
// records them.
class PartitionStateMachine {
 public:
  PartitionStateMachine() = default;

  PartitionStateKind state(const log::TopicPartition& tp) const;
  // Records the transition if it is valid; logs and returns false otherwise (the partition keeps its state).
  bool transition(const log::TopicPartition& tp, PartitionStateKind target);
  // Start-up of the state machine (Kafka's initializePartitionState): sets a state without a transition
  // check.
  void set_initial(const log::TopicPartition& tp, PartitionStateKind s) { states_[tp] = s; }
  void remove(const log::TopicPartition& tp) { states_.erase(tp); }
  void clear() { states_.clear(); }
  // Partitions currently in `s`, sorted.
  std::vector<log::TopicPartition> partitions_in(PartitionStateKind s) const;
  size_t size() const { return states_.size(); }

 private:
  std::map<log::TopicPartition, PartitionStateKind> states_;
};

}  // namespace gregor::broker
