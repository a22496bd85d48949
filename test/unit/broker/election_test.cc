// Leader election strategies (every row of internals §3.8 for Offline, Preferred, ControlledShutdown), new
// partitions, ISR removal and the auto-rebalance imbalance computation.
#ifndef BOOST_TEST_DYN_LINK
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#endif
#include "broker/controller/election.h"

#include <boost/test/unit_test.hpp>
#include <ostream>

namespace gregor::log {
inline std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) { return os << tp.to_string(); }
}  // namespace gregor::log

namespace gregor::broker {
std::ostream& operator<<(std::ostream& os, const Election& e) {
  os << "Election{leader=" << e.leader << ", isr=[";
  for (auto b : e.isr) os << b << ",";
  os << "], recipients=[";
  for (auto b : e.recipients) os << b << ",";
  return os << "], unclean=" << e.unclean << "}";
}
std::ostream& operator<<(std::ostream& os, const IsrRemoval& r) {
  os << "IsrRemoval{leader=" << r.leader << ", isr=[";
  for (auto b : r.isr) os << b << ",";
  return os << "]}";
}
}  // namespace gregor::broker

using namespace gregor::broker;
using gregor::log::TopicPartition;
using V = std::vector<int32_t>;
using S = std::set<int32_t>;

BOOST_AUTO_TEST_SUITE(offline_strategy)

BOOST_AUTO_TEST_CASE(first_live_isr_member_in_assignment_order) {
  // Assignment order decides, not ISR order.
  auto e = elect_offline({1, 2, 3}, {3, 2}, {2, 3}, false);
  BOOST_REQUIRE(e);
  BOOST_TEST(e->leader == 2);
  BOOST_TEST(e->isr == V({3, 2}));
  BOOST_TEST(e->recipients == V({2, 3}));
  BOOST_TEST(!e->unclean);
}

BOOST_AUTO_TEST_CASE(new_isr_is_the_live_part_of_the_old_isr) {
  auto e = elect_offline({1, 2, 3}, {1, 2, 3}, {2, 3}, false);
  BOOST_REQUIRE(e);
  BOOST_TEST(e->leader == 2);
  BOOST_TEST(e->isr == V({2, 3}));
  BOOST_TEST(e->recipients == V({2, 3}));
}

BOOST_AUTO_TEST_CASE(live_replica_outside_isr_is_not_elected_without_unclean) {
  BOOST_TEST(!elect_offline({1, 2, 3}, {1}, {2, 3}, false));
}

BOOST_AUTO_TEST_CASE(unclean_elects_first_live_assigned_replica_with_isr_of_itself) {
  auto e = elect_offline({1, 2, 3}, {1}, {3, 2}, true);
  BOOST_REQUIRE(e);
  BOOST_TEST(e->leader == 2);
  BOOST_TEST(e->isr == V({2}));
  BOOST_TEST(e->unclean);
  BOOST_TEST(e->recipients == V({2, 3}));
}

BOOST_AUTO_TEST_CASE(unclean_allowed_still_prefers_a_clean_leader) {
  auto e = elect_offline({1, 2, 3}, {1, 3}, {2, 3}, true);
  BOOST_REQUIRE(e);
  BOOST_TEST(e->leader == 3);
  BOOST_TEST(!e->unclean);
  BOOST_TEST(e->isr == V({3}));
}

BOOST_AUTO_TEST_CASE(nothing_live_means_no_leader_even_with_unclean) {
  BOOST_TEST(!elect_offline({1, 2}, {1, 2}, {}, true));
  BOOST_TEST(!elect_offline({1, 2}, {1, 2}, {5}, true));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(preferred_strategy)

BOOST_AUTO_TEST_CASE(head_live_and_in_isr_is_elected_isr_unchanged) {
  auto e = elect_preferred({1, 2, 3}, {2, 3, 1}, {1, 2, 3});
  BOOST_REQUIRE(e);
  BOOST_TEST(e->leader == 1);
  BOOST_TEST(e->isr == V({2, 3, 1}));
  BOOST_TEST(e->recipients == V({1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(head_not_in_isr_or_dead_means_no_election) {
  BOOST_TEST(!elect_preferred({1, 2, 3}, {2, 3}, {1, 2, 3}));
  BOOST_TEST(!elect_preferred({1, 2, 3}, {1, 2, 3}, {2, 3}));
  BOOST_TEST(!elect_preferred({}, {1}, {1}));
}

BOOST_AUTO_TEST_CASE(recipients_are_the_live_assigned_replicas) {
  auto e = elect_preferred({1, 2, 3}, {1, 2}, {1, 2});
  BOOST_REQUIRE(e);
  BOOST_TEST(e->recipients == V({1, 2}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(controlled_shutdown_strategy)

BOOST_AUTO_TEST_CASE(skips_shutting_down_brokers_and_drops_them_from_isr) {
  // Broker 1 leads and is shutting down; live ids exclude it, as the controller's live set does.
  auto e = elect_controlled_shutdown({1, 2, 3}, {1, 2, 3}, {2, 3}, {1});
  BOOST_REQUIRE(e);
  BOOST_TEST(e->leader == 2);
  BOOST_TEST(e->isr == V({2, 3}));
  // Shutting-down replicas still get the LeaderAndIsr (they become followers).
  BOOST_TEST(e->recipients == V({1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(leader_must_be_in_isr) {
  auto e = elect_controlled_shutdown({1, 2, 3}, {1, 3}, {2, 3}, {1});
  BOOST_REQUIRE(e);
  BOOST_TEST(e->leader == 3);
  BOOST_TEST(e->isr == V({3}));
}

BOOST_AUTO_TEST_CASE(no_other_isr_member_means_no_election) {
  BOOST_TEST(!elect_controlled_shutdown({1, 2}, {1}, {2}, {1}));
  BOOST_TEST(!elect_controlled_shutdown({1, 2}, {1, 2}, {}, {1, 2}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(new_partition_and_isr_removal)

BOOST_AUTO_TEST_CASE(new_partition_leader_is_first_live_and_isr_all_live) {
  auto e = elect_new_partition({3, 1, 2}, {1, 2});
  BOOST_REQUIRE(e);
  BOOST_TEST(e->leader == 1);
  BOOST_TEST(e->isr == V({1, 2}));
  BOOST_TEST(e->recipients == V({1, 2}));
  BOOST_TEST(!elect_new_partition({3}, {1, 2}));
}

BOOST_AUTO_TEST_CASE(removing_a_follower_keeps_the_leader) {
  BOOST_TEST(remove_from_isr(1, {1, 2, 3}, 2) == (IsrRemoval{1, {1, 3}}));
}

BOOST_AUTO_TEST_CASE(removing_the_leader_leaves_no_leader) {
  BOOST_TEST(remove_from_isr(1, {1, 2}, 1) == (IsrRemoval{-1, {2}}));
}

BOOST_AUTO_TEST_CASE(the_last_isr_member_is_never_removed) {
  BOOST_TEST(remove_from_isr(1, {1}, 1) == (IsrRemoval{-1, {1}}));
}

BOOST_AUTO_TEST_CASE(removing_a_non_member_changes_nothing) {
  BOOST_TEST(remove_from_isr(1, {1, 2}, 3) == (IsrRemoval{1, {1, 2}}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(imbalance)

BOOST_AUTO_TEST_CASE(ratio_per_preferred_broker) {
  std::map<TopicPartition, PartitionLeadership> p = {
      {{"t", 0}, {{1, 2}, 1, {1, 2}}}, {{"t", 1}, {{1, 2}, 2, {1, 2}}},    {{"t", 2}, {{2, 1}, 2, {1, 2}}},
      {{"t", 3}, {{1, 2}, 2, {2}}},    {{"gone", 0}, {{2, 1}, 1, {1, 2}}},
  };
  auto r = leader_imbalance(p, {"gone"});
  BOOST_TEST(r.size() == 2u);
  BOOST_TEST(r[1] == 2.0 / 3.0);
  BOOST_TEST(r[2] == 0.0);
}

BOOST_AUTO_TEST_CASE(rebalance_moves_only_eligible_partitions_of_imbalanced_brokers) {
  std::map<TopicPartition, PartitionLeadership> p = {
      {{"t", 0}, {{1, 2}, 1, {1, 2}}},  // already preferred
      {{"t", 1}, {{1, 2}, 2, {1, 2}}},  // movable
      {{"t", 2}, {{1, 2}, 2, {2}}},     // preferred not in ISR
      {{"t", 3}, {{2, 1}, 2, {1, 2}}},  // broker 2 balanced
  };
  auto moved = partitions_to_rebalance(p, {1, 2}, 10);
  BOOST_TEST(moved == std::vector<TopicPartition>({{"t", 1}}));
  // Broker 1's imbalance is 2/3: at 70 % nothing moves.
  BOOST_TEST(partitions_to_rebalance(p, {1, 2}, 70).empty());
  // Preferred replica not live: nothing to move.
  BOOST_TEST(partitions_to_rebalance(p, {2}, 10).empty());
  // Topics being deleted are ignored.
  BOOST_TEST(partitions_to_rebalance(p, {1, 2}, 10, {"t"}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
