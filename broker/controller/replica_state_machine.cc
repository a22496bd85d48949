// ReplicaStateMachine: valid-transition table and the recorded replica states.
#include "broker/controller/replica_state_machine.h"

#include "broker/logging.h"

namespace gregor::broker {

std::string_view to_string(ReplicaStateKind s) {
  switch (s) {
    case ReplicaStateKind::NewReplica:
      return "NewReplica";
    case ReplicaStateKind::OnlineReplica:
      return "OnlineReplica";
    case ReplicaStateKind::OfflineReplica:
      return "OfflineReplica";
    case ReplicaStateKind::ReplicaDeletionStarted:
      return "ReplicaDeletionStarted";
    case ReplicaStateKind::ReplicaDeletionSuccessful:
      return "ReplicaDeletionSuccessful";
    case ReplicaStateKind::ReplicaDeletionIneligible:
      return "ReplicaDeletionIneligible";
    case ReplicaStateKind::NonExistentReplica:
      return "NonExistentReplica";
  }
  return "?";
}

bool is_valid_replica_transition(ReplicaStateKind from, ReplicaStateKind target) {
  using S = ReplicaStateKind;
  switch (target) {
    case S::NewReplica:
      return from == S::NonExistentReplica;
    case S::OnlineReplica:
    case S::OfflineReplica:
      return from == S::NewReplica || from == S::OnlineReplica || from == S::OfflineReplica ||
             from == S::ReplicaDeletionIneligible;
    case S::ReplicaDeletionStarted:
      return from == S::OfflineReplica;
    case S::ReplicaDeletionSuccessful:
      return from == S::ReplicaDeletionStarted;
    case S::ReplicaDeletionIneligible:
      return from == S::OfflineReplica || from == S::ReplicaDeletionStarted;
    case S::NonExistentReplica:
      return from == S::ReplicaDeletionSuccessful;
  }
  return false;
}

ReplicaStateKind ReplicaStateMachine::state(const ReplicaKey& r) const {
  auto it = states_.find(r);
  return it == states_.end() ? ReplicaStateKind::NonExistentReplica : it->second;
}

bool ReplicaStateMachine::transition(const ReplicaKey& r, ReplicaStateKind target) {
  auto from = state(r);
  if (!is_valid_replica_transition(from, target)) {
    logger("controller")
        ->error("[{} replica {}] invalid replica state transition {} -> {}", r.tp.to_string(), r.broker,
                to_string(from), to_string(target));
    return false;
  }
  if (target == ReplicaStateKind::NonExistentReplica) {
    states_.erase(r);
  } else {
    states_[r] = target;
  }
  return true;
}

void ReplicaStateMachine::remove_partition(const log::TopicPartition& tp) {
  std::erase_if(states_, [&](const auto& kv) { return kv.first.tp == tp; });
}

bool ReplicaStateMachine::all_replicas_of_topic_in(const std::string& topic, ReplicaStateKind s) const {
  bool any = false;
  for (const auto& [r, state] : states_) {
    if (r.tp.topic != topic) continue;
    if (state != s) return false;
    any = true;
  }
  return any;
}

bool ReplicaStateMachine::any_replica_of_topic_in(const std::string& topic, ReplicaStateKind s) const {
  for (const auto& [r, state] : states_) {
    if (r.tp.topic == topic && state == s) return true;
  }
  return false;
}

}  // namespace gregor::broker
