// PartitionStateMachine: valid-transition table and the recorded partition states.
#include "broker/controller/partition_state_machine.h"

#include "broker/logging.h"

namespace gregor::broker {

std::string_view to_string(PartitionStateKind s) {
  switch (s) {
    case PartitionStateKind::NewPartition:
      return "NewPartition";
    case PartitionStateKind::OnlinePartition:
      return "OnlinePartition";
    case PartitionStateKind::OfflinePartition:
      return "OfflinePartition";
    case PartitionStateKind::NonExistentPartition:
      return "NonExistentPartition";
  }
  return "?";
}

bool is_valid_partition_transition(PartitionStateKind from, PartitionStateKind target) {
  using S = PartitionStateKind;
  switch (target) {
    case S::NewPartition:
      return from == S::NonExistentPartition;
    case S::OnlinePartition:
    case S::OfflinePartition:
      return from == S::NewPartition || from == S::OnlinePartition || from == S::OfflinePartition;
    case S::NonExistentPartition:
      return from == S::OfflinePartition;
  }
  return false;
}

PartitionStateKind PartitionStateMachine::state(const log::TopicPartition& tp) const {
  auto it = states_.find(tp);
  return it == states_.end() ? PartitionStateKind::NonExistentPartition : it->second;
}

bool PartitionStateMachine::transition(const log::TopicPartition& tp, PartitionStateKind target) {
  auto from = state(tp);
  if (!is_valid_partition_transition(from, target)) {
    logger("controller")
        ->error("[{}] invalid partition state transition {} -> {}", tp.to_string(), to_string(from),
                to_string(target));
    return false;
  }
  if (target == PartitionStateKind::NonExistentPartition) {
    states_.erase(tp);
  } else {
    states_[tp] = target;
  }
  return true;
}

std::vector<log::TopicPartition> PartitionStateMachine::partitions_in(PartitionStateKind s) const {
  std::vector<log::TopicPartition> out;
  for (const auto& [tp, state] : states_) {
    if (state == s) out.push_back(tp);
  }
  return out;
}

}  // namespace gregor::broker
