// Tests of the leader's follower bookkeeping: caught-up time, high watermark, ISR shrink and expansion.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "broker/replica_state.h"

#include <boost/test/unit_test.hpp>

using namespace gregor::broker;

namespace {
ReplicaFetchState at(int64_t leo, int64_t caught_up) {
  ReplicaFetchState s;
  s.log_end_offset = leo;
  s.last_caught_up_time_ms = caught_up;
  return s;
}
auto all_alive = [](int32_t) { return true; };
}  // namespace

BOOST_AUTO_TEST_SUITE(replica_state)

BOOST_AUTO_TEST_CASE(fetch_at_leader_end_is_caught_up_now) {
  ReplicaFetchState s;
  update_fetch_state(s, 10, 10, 1000);
  BOOST_TEST(s.last_caught_up_time_ms == 1000);
  BOOST_TEST(s.log_end_offset == 10);
  BOOST_TEST(s.last_fetch_leader_log_end_offset == 10);
}

BOOST_AUTO_TEST_CASE(fetch_reaching_previous_leader_end_is_caught_up_as_of_previous_fetch) {
  ReplicaFetchState s;
  update_fetch_state(s, 5, 10, 1000);  // behind: not caught up
  BOOST_TEST(s.last_caught_up_time_ms == 0);
  update_fetch_state(s, 10, 20, 2000);  // reached what the leader had at t=1000
  BOOST_TEST(s.last_caught_up_time_ms == 1000);
  update_fetch_state(s, 15, 25, 3000);  // below 20: unchanged
  BOOST_TEST(s.last_caught_up_time_ms == 1000);
}

BOOST_AUTO_TEST_CASE(caught_up_by_offset_or_by_time) {
  BOOST_TEST(is_caught_up(at(10, 0), 10, 100000, 30000));
  BOOST_TEST(is_caught_up(at(5, 80000), 10, 100000, 30000));
  BOOST_TEST(!is_caught_up(at(5, 60000), 10, 100000, 30000));
}

BOOST_AUTO_TEST_CASE(high_watermark_is_min_isr_log_end_and_never_goes_back) {
  std::vector<int32_t> isr{1, 2, 3};
  std::map<int32_t, ReplicaFetchState> f{{2, at(7, 0)}, {3, at(9, 0)}};
  HighWatermarkInputs in{1, 5, 10, isr, f, 1000, 30000, all_alive};
  BOOST_TEST(compute_high_watermark(in) == 7);
  in.current_high_watermark = 8;
  BOOST_TEST(compute_high_watermark(in) == 8);  // never backwards
  f[2] = at(10, 0);
  f[3] = at(10, 0);
  in.current_high_watermark = 8;
  BOOST_TEST(compute_high_watermark(in) == 10);
}

BOOST_AUTO_TEST_CASE(isr_member_without_fetch_holds_high_watermark) {
  std::vector<int32_t> isr{1, 2};
  std::map<int32_t, ReplicaFetchState> f{{2, at(-1, 0)}};
  HighWatermarkInputs in{1, 3, 10, isr, f, 1000, 30000, all_alive};
  BOOST_TEST(compute_high_watermark(in) == 3);
}

BOOST_AUTO_TEST_CASE(leader_alone_in_isr_moves_to_log_end_but_waits_for_caught_up_joiner) {
  std::vector<int32_t> isr{1};
  std::map<int32_t, ReplicaFetchState> f{{2, at(4, 0)}};
  // Follower 2 is not caught up (lagging for long): ignored.
  HighWatermarkInputs in{1, 0, 10, isr, f, 100000, 30000, all_alive};
  BOOST_TEST(compute_high_watermark(in) == 10);
  // Caught up recently and alive: about to join, so the HW waits for it.
  f[2] = at(4, 90000);
  BOOST_TEST(compute_high_watermark(in) == 4);
  // ... unless its broker is gone.
  in.is_alive = [](int32_t id) { return id != 2; };
  BOOST_TEST(compute_high_watermark(in) == 10);
}

BOOST_AUTO_TEST_CASE(shrink_removes_only_lagging_followers) {
  std::vector<int32_t> isr{1, 2, 3};
  std::map<int32_t, ReplicaFetchState> f{{2, at(10, 0)}, {3, at(6, 50000)}};
  auto out = out_of_sync_replicas(1, isr, f, 10, 100000, 30000);
  BOOST_TEST(out == std::vector<int32_t>{3});
  f[3] = at(6, 80000);
  BOOST_TEST(out_of_sync_replicas(1, isr, f, 10, 100000, 30000).empty());
  // A member that never fetched since this broker became leader lags from time 0.
  std::map<int32_t, ReplicaFetchState> none;
  BOOST_TEST((out_of_sync_replicas(1, isr, none, 10, 100000, 30000) == std::vector<int32_t>{2, 3}));
}

BOOST_AUTO_TEST_CASE(expand_needs_high_watermark_epoch_start_and_liveness) {
  std::vector<int32_t> isr{1};
  BOOST_TEST(should_expand_isr(2, isr, at(10, 0), 10, 8, true));
  BOOST_TEST(!should_expand_isr(2, isr, at(9, 0), 10, 8, true));    // below HW
  BOOST_TEST(!should_expand_isr(2, isr, at(10, 0), 10, 12, true));  // not in the current epoch yet
  BOOST_TEST(!should_expand_isr(2, isr, at(10, 0), 10, 8, false));  // broker not alive
  BOOST_TEST(!should_expand_isr(1, isr, at(10, 0), 10, 8, true));   // already in ISR
}

BOOST_AUTO_TEST_SUITE_END()
