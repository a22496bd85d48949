// Tests of the follower truncation decision from OffsetForLeaderEpoch answers, including KIP-279 rounds.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include "broker/replica_fetcher_truncation.h"

using namespace gregor::broker;
using gregor::log::LeaderEpochCache;

namespace {
LeaderEpochCache cache_of(std::vector<std::pair<int32_t, int64_t>> entries) {
  LeaderEpochCache c;
  for (auto [e, o] : entries) c.assign(e, o);
  return c;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(truncation)

BOOST_AUTO_TEST_CASE(same_epoch_truncates_to_smaller_end) {
  // Follower wrote epoch 1 up to 120; leader's epoch 1 ended at 100 (epoch 2 started there).
  auto c = cache_of({{0, 0}, {1, 50}});
  auto d = compute_truncation(1, 100, c, 120, 80);
  BOOST_TEST(d.truncate_to == 100);
  BOOST_TEST(!d.another_round);
  // Leader has more of epoch 1 than we do: nothing to cut.
  d = compute_truncation(1, 200, c, 120, 80);
  BOOST_TEST(d.truncate_to == 120);
}

BOOST_AUTO_TEST_CASE(unknown_epoch_on_leader_falls_back_to_high_watermark) {
  auto c = cache_of({{0, 0}, {3, 50}});
  auto d = compute_truncation(-1, -1, c, 120, 80);
  BOOST_TEST(d.truncate_to == 80);
  BOOST_TEST(!d.another_round);
}

BOOST_AUTO_TEST_CASE(old_format_answer_uses_end_offset) {
  auto c = cache_of({{0, 0}});
  auto d = compute_truncation(-1, 70, c, 120, 80);
  BOOST_TEST(d.truncate_to == 70);
}

BOOST_AUTO_TEST_CASE(follower_without_leaders_epoch_takes_another_round) {
  // Follower: epochs 0@0, 2@40, 4@90 (epochs 2 and 4 were its own divergent leaderships).
  // Leader answers epoch 3 (largest <= 4 it knows) ending at 110.
  auto c = cache_of({{0, 0}, {2, 40}, {4, 90}});
  auto d = compute_truncation(3, 110, c, 130, 30);
  // Follower's floor for epoch 3 is epoch 2 ending at 90: cut epoch 4, then ask again for epoch 2.
  BOOST_TEST(d.truncate_to == 90);
  BOOST_TEST(d.another_round);
  c.truncate_from_end(d.truncate_to);
  BOOST_TEST(c.latest_epoch() == 2);
  // Second round: leader's epoch 2 ended at 60 (its epoch 3 began there).
  d = compute_truncation(2, 60, c, 90, 30);
  BOOST_TEST(d.truncate_to == 60);
  BOOST_TEST(!d.another_round);
}

BOOST_AUTO_TEST_CASE(follower_with_no_epoch_at_or_below_truncates_to_leader_end) {
  auto c = cache_of({{5, 100}});
  auto d = compute_truncation(3, 80, c, 150, 0);
  // end_offset_for(3) below the first epoch answers (3, 100): same epoch, min(100, 80, 150).
  BOOST_TEST(d.truncate_to == 80);
  BOOST_TEST(!d.another_round);
}

BOOST_AUTO_TEST_CASE(never_beyond_own_log_end) {
  auto c = cache_of({{0, 0}});
  auto d = compute_truncation(0, 500, c, 20, 10);
  BOOST_TEST(d.truncate_to == 20);
}

BOOST_AUTO_TEST_SUITE_END()
