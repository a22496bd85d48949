// Partition and replica state machines: Kafka's valid-transition tables, exhaustively, and the recorded
// states.
#ifndef BOOST_TEST_DYN_LINK
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#endif
#include <boost/test/unit_test.hpp>
#include <ostream>
#include <set>

#include "broker/controller/partition_state_machine.h"
#include "broker/controller/replica_state_machine.h"

namespace gregor::log {
inline std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) { return os << tp.to_string(); }
}  // namespace gregor::log

namespace gregor::broker {
std::ostream& operator<<(std::ostream& os, PartitionStateKind s) { return os << to_string(s); }
std::ostream& operator<<(std::ostream& os, ReplicaStateKind s) { return os << to_string(s); }
}  // namespace gregor::broker

using namespace gregor::broker;
using gregor::log::TopicPartition;

BOOST_AUTO_TEST_CASE(partition_transition_table) {
  using P = PartitionStateKind;
  const P all[] = {P::NewPartition, P::OnlinePartition, P::OfflinePartition, P::NonExistentPartition};
  std::set<std::pair<P, P>> valid = {
      {P::NonExistentPartition, P::NewPartition}, {P::NewPartition, P::OnlinePartition},
      {P::OnlinePartition, P::OnlinePartition},   {P::OfflinePartition, P::OnlinePartition},
      {P::NewPartition, P::OfflinePartition},     {P::OnlinePartition, P::OfflinePartition},
      {P::OfflinePartition, P::OfflinePartition}, {P::OfflinePartition, P::NonExistentPartition},
  };
  for (P from : all) {
    for (P to : all) {
      BOOST_TEST(is_valid_partition_transition(from, to) == (valid.count({from, to}) > 0),
                 to_string(from) << " -> " << to_string(to));
    }
  }
}

BOOST_AUTO_TEST_CASE(replica_transition_table) {
  using R = ReplicaStateKind;
  const R all[] = {R::NewReplica,
                   R::OnlineReplica,
                   R::OfflineReplica,
                   R::ReplicaDeletionStarted,
                   R::ReplicaDeletionSuccessful,
                   R::ReplicaDeletionIneligible,
                   R::NonExistentReplica};
  std::set<std::pair<R, R>> valid = {
      {R::NonExistentReplica, R::NewReplica},
      {R::NewReplica, R::OnlineReplica},
      {R::OnlineReplica, R::OnlineReplica},
      {R::OfflineReplica, R::OnlineReplica},
      {R::ReplicaDeletionIneligible, R::OnlineReplica},
      {R::NewReplica, R::OfflineReplica},
      {R::OnlineReplica, R::OfflineReplica},
      {R::OfflineReplica, R::OfflineReplica},
      {R::ReplicaDeletionIneligible, R::OfflineReplica},
      {R::OfflineReplica, R::ReplicaDeletionStarted},
      {R::ReplicaDeletionStarted, R::ReplicaDeletionSuccessful},
      {R::OfflineReplica, R::ReplicaDeletionIneligible},
      {R::ReplicaDeletionStarted, R::ReplicaDeletionIneligible},
      {R::ReplicaDeletionSuccessful, R::NonExistentReplica},
  };
  for (R from : all) {
    for (R to : all) {
      BOOST_TEST(is_valid_replica_transition(from, to) == (valid.count({from, to}) > 0),
                 to_string(from) << " -> " << to_string(to));
    }
  }
}

BOOST_AUTO_TEST_CASE(partition_machine_records_valid_and_refuses_invalid_transitions) {
  PartitionStateMachine m;
  TopicPartition tp{"t", 0};
  BOOST_TEST(m.state(tp) == PartitionStateKind::NonExistentPartition);
  BOOST_TEST(!m.transition(tp, PartitionStateKind::OnlinePartition));
  BOOST_TEST(m.state(tp) == PartitionStateKind::NonExistentPartition);
  BOOST_TEST(m.transition(tp, PartitionStateKind::NewPartition));
  BOOST_TEST(m.transition(tp, PartitionStateKind::OnlinePartition));
  BOOST_TEST(!m.transition(tp, PartitionStateKind::NonExistentPartition));  // only from Offline
  BOOST_TEST(m.transition(tp, PartitionStateKind::OfflinePartition));
  BOOST_TEST(m.partitions_in(PartitionStateKind::OfflinePartition) == std::vector<TopicPartition>({tp}));
  BOOST_TEST(m.transition(tp, PartitionStateKind::NonExistentPartition));
  BOOST_TEST(m.size() == 0u);
}

BOOST_AUTO_TEST_CASE(replica_machine_tracks_deletion_of_a_topic) {
  ReplicaStateMachine m;
  ReplicaKey a{{"t", 0}, 1}, b{{"t", 0}, 2}, other{{"u", 0}, 1};
  for (auto& r : {a, b, other}) {
    BOOST_TEST(m.transition(r, ReplicaStateKind::NewReplica));
    BOOST_TEST(m.transition(r, ReplicaStateKind::OnlineReplica));
  }
  BOOST_TEST(!m.transition(a, ReplicaStateKind::ReplicaDeletionStarted));  // must go offline first
  for (auto& r : {a, b}) {
    BOOST_TEST(m.transition(r, ReplicaStateKind::OfflineReplica));
    BOOST_TEST(m.transition(r, ReplicaStateKind::ReplicaDeletionStarted));
  }
  BOOST_TEST(m.transition(a, ReplicaStateKind::ReplicaDeletionSuccessful));
  BOOST_TEST(!m.all_replicas_of_topic_in("t", ReplicaStateKind::ReplicaDeletionSuccessful));
  BOOST_TEST(m.transition(b, ReplicaStateKind::ReplicaDeletionIneligible));
  BOOST_TEST(m.any_replica_of_topic_in("t", ReplicaStateKind::ReplicaDeletionIneligible));
  BOOST_TEST(m.transition(b, ReplicaStateKind::OfflineReplica));
  BOOST_TEST(m.transition(b, ReplicaStateKind::ReplicaDeletionStarted));
  BOOST_TEST(m.transition(b, ReplicaStateKind::ReplicaDeletionSuccessful));
  BOOST_TEST(m.all_replicas_of_topic_in("t", ReplicaStateKind::ReplicaDeletionSuccessful));
  BOOST_TEST(!m.all_replicas_of_topic_in("missing", ReplicaStateKind::ReplicaDeletionSuccessful));
  BOOST_TEST(m.transition(a, ReplicaStateKind::NonExistentReplica));
  BOOST_TEST(m.state(a) == ReplicaStateKind::NonExistentReplica);
  BOOST_TEST(m.state(other) == ReplicaStateKind::OnlineReplica);
}
