// ReplicaStateMachine: the controller's per-replica states and Kafka's valid-transition table (internals
// §3.7).
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>

#include "log/topic_partition.h"

namespace gregor::broker {

// Kafka's byte values.
enum class ReplicaStateKind : int8_t {
  NewReplica = 1,
  OnlineReplica = 2,
  OfflineReplica = 3,
  ReplicaDeletionStarted = 4,
  ReplicaDeletionSuccessful = 5,
  ReplicaDeletionIneligible = 6,
  NonExistentReplica = 7,
};

std::string_view to_string(ReplicaStateKind s);

// Valid previous states of `target` (Kafka's ReplicaState.validPreviousStates).
bool is_valid_replica_transition(ReplicaStateKind from, ReplicaStateKind target);

// A replica = (topic-partition, broker id).
struct ReplicaKey {
  log::TopicPartition tp;
  int32_t broker = -1;
  friend auto operator<=>(const ReplicaKey&, const ReplicaKey&) = default;
  friend bool operator==(const ReplicaKey&, const ReplicaKey&) = default;
};

// The states of every replica the controller knows; unknown replicas are NonExistentReplica. Actions
// (requests, ISR shrinking) live in the Controller; this guards and records the transitions.
class ReplicaStateMachine {
 public:
  ReplicaStateKind state(const ReplicaKey& r) const;
  // Records the transition if valid; logs and returns false otherwise.
  bool transition(const ReplicaKey& r, ReplicaStateKind target);
  // Start-up of the state machine (Kafka's initializeReplicaState): sets a state without a transition check.
  void set_initial(const ReplicaKey& r, ReplicaStateKind s) { states_[r] = s; }
  void remove_partition(const log::TopicPartition& tp);
  void clear() { states_.clear(); }
  // True iff every known replica of `topic` is in `s` (and there is at least one).
  bool all_replicas_of_topic_in(const std::string& topic, ReplicaStateKind s) const;
  bool any_replica_of_topic_in(const std::string& topic, ReplicaStateKind s) const;

 private:
  std::map<ReplicaKey, ReplicaStateKind> states_;
};

}  // namespace gregor::broker
