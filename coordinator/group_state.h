// GroupState: the classic group states (Kafka's names, as DescribeGroups and ListGroups show them).
#pragma once

#include <string_view>

namespace gregor::coordinator {

enum class GroupState { Empty, PreparingRebalance, CompletingRebalance, Stable, Dead };

constexpr std::string_view to_string(GroupState s) {
  switch (s) {
    case GroupState::Empty:
      return "Empty";
    case GroupState::PreparingRebalance:
      return "PreparingRebalance";
    case GroupState::CompletingRebalance:
      return "CompletingRebalance";
    case GroupState::Stable:
      return "Stable";
    case GroupState::Dead:
      return "Dead";
  }
  return "Unknown";
}

// GroupMetadata.scala's validPreviousStates: the states each state may be entered from.
constexpr bool is_valid_transition(GroupState from, GroupState to) {
  switch (to) {
    case GroupState::Empty:
      return from == GroupState::PreparingRebalance;
    case GroupState::PreparingRebalance:
      return from == GroupState::Stable || from == GroupState::CompletingRebalance ||
             from == GroupState::Empty;
    case GroupState::CompletingRebalance:
      return from == GroupState::PreparingRebalance;
    case GroupState::Stable:
      return from == GroupState::CompletingRebalance;
    case GroupState::Dead:
      return true;
  }
  return false;
}

}  // namespace gregor::coordinator
