// Tests of Partition's replication state on real logs in a temp dir: HW from follower fetches, ISR expansion
// proposals, acks=all min ISR refusal, follower appends (offsets kept) and truncation.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "broker/partition.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <random>

#include "error_code_print.h"
#include "protocol/record_batch.h"

using namespace gregor;
using namespace gregor::broker;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("gregor-partition-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::vector<uint8_t> batch_of(int records) {
  RecordBatchBuilder b;
  std::string value = "value";
  for (int i = 0; i < records; ++i) {
    b.append(std::nullopt,
             std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()), {},
             1000 + i);
  }
  return b.build();
}

struct Fixture {
  TempDir dir;
  log::TopicPartition tp{"t", 0};
  std::unique_ptr<log::Log> log_ =
      std::move(*log::Log::open(dir.path / "t-0", tp, log::LogConfig{}, 0, true, 0));
  TopicSettings settings;
  Partition partition{tp, *log_, settings, 1};
};

LeadershipState leader_state(std::vector<int32_t> isr, int32_t epoch = 1) {
  return LeadershipState{1, 1, epoch, std::move(isr), {1, 2, 3}, 0};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(partition_replication)

BOOST_FIXTURE_TEST_CASE(high_watermark_follows_slowest_isr_member, Fixture) {
  partition.configure_replication(30000, [](int32_t) { return true; });
  partition.make_leader(leader_state({1, 2, 3}), 0, 1000);
  for (int i = 0; i < 3; ++i) {
    auto b = batch_of(2);
    BOOST_REQUIRE(partition.append_records_as_leader(b, -1, 1000));
  }
  BOOST_TEST(partition.log_end_offset() == 6);
  BOOST_TEST(partition.high_watermark() == 0);  // followers have not fetched
  auto o = partition.update_follower_fetch_state(2, 6, 1100);
  BOOST_TEST(!o.high_watermark_changed);  // 3 still unknown
  o = partition.update_follower_fetch_state(3, 4, 1100);
  BOOST_TEST(o.high_watermark_changed);
  BOOST_TEST(partition.high_watermark() == 4);
  partition.update_follower_fetch_state(3, 6, 1200);
  BOOST_TEST(partition.high_watermark() == 6);
  // A consumer read stops at the HW; a follower read goes to the log end.
  auto b = batch_of(1);
  BOOST_REQUIRE(partition.append_records_as_leader(b, 1, 1300));
  BOOST_TEST(partition.read(6, 1 << 20, false, true).data.bytes == 0);
  BOOST_TEST(partition.read(6, 1 << 20, true, true).data.bytes > 0);
}

BOOST_FIXTURE_TEST_CASE(caught_up_follower_is_proposed_for_isr_and_lagging_one_for_removal, Fixture) {
  partition.configure_replication(1000, [](int32_t) { return true; });
  partition.make_leader(leader_state({1, 2}), 0, 1000);
  auto b = batch_of(5);
  BOOST_REQUIRE(partition.append_records_as_leader(b, 1, 1000));
  auto o = partition.update_follower_fetch_state(2, 5, 1100);
  BOOST_TEST(partition.high_watermark() == 5);
  BOOST_TEST(!o.expand_isr_to);  // 2 already in ISR
  o = partition.update_follower_fetch_state(3, 2, 1100);
  BOOST_TEST(!o.expand_isr_to);  // below the HW
  o = partition.update_follower_fetch_state(3, 5, 1200);
  BOOST_REQUIRE(o.expand_isr_to);
  BOOST_TEST((*o.expand_isr_to == std::vector<int32_t>{1, 2, 3}));
  partition.set_isr_change_in_flight(true);
  o = partition.update_follower_fetch_state(3, 5, 1300);
  BOOST_TEST(!o.expand_isr_to);  // one change at a time
  BOOST_TEST(!partition.commit_isr({1, 2, 3}, 1, 1300));
  BOOST_TEST(partition.zk_version() == 1);
  BOOST_TEST(!partition.isr_change_in_flight());
  // 2 stops fetching while the leader keeps appending: out of sync after replica.lag.time.max.ms.
  auto b2 = batch_of(1);
  BOOST_REQUIRE(partition.append_records_as_leader(b2, 1, 1400));
  partition.update_follower_fetch_state(3, 6, 2500);
  BOOST_TEST((partition.out_of_sync_replicas(2500) == std::vector<int32_t>{2}));
}

BOOST_FIXTURE_TEST_CASE(acks_all_refused_below_min_isr, Fixture) {
  settings.min_insync_replicas = 2;
  partition.update_settings(settings);
  partition.make_leader(leader_state({1}), 0, 1000);
  auto b = batch_of(1);
  auto r = partition.append_records_as_leader(b, -1, 1000);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == ErrorCode::NOT_ENOUGH_REPLICAS);
  BOOST_TEST(partition.log_end_offset() == 0);
  auto b1 = batch_of(1);
  BOOST_TEST(partition.append_records_as_leader(b1, 1, 1000).has_value());  // acks=1 unaffected
}

BOOST_FIXTURE_TEST_CASE(follower_appends_keep_offsets_and_truncation_caps_hw, Fixture) {
  // Leader side: a second log assigns offsets and epochs in place.
  TempDir leader_dir;
  auto leader_log = std::move(*log::Log::open(leader_dir.path / "t-0", tp, log::LogConfig{}, 0, true, 0));
  Partition leader(tp, *leader_log, settings, 2);
  leader.make_leader(LeadershipState{1, 2, 4, {2}, {1, 2}, 0}, 0, 1000);
  auto b1 = batch_of(3);
  auto b2 = batch_of(2);
  BOOST_REQUIRE(leader.append_records_as_leader(b1, 1, 1000));
  BOOST_REQUIRE(leader.append_records_as_leader(b2, 1, 1000));

  BOOST_TEST(partition.make_follower(LeadershipState{1, 2, 4, {2, 1}, {1, 2}, 0}, 0));
  BOOST_REQUIRE(partition.append_records_as_follower(b1, 2, 0));
  BOOST_TEST(partition.high_watermark() == 2);  // min(leader HW, own log end)
  BOOST_REQUIRE(partition.append_records_as_follower(b2, 9, 0));
  BOOST_TEST(partition.log_end_offset() == 5);
  BOOST_TEST(partition.high_watermark() == 5);
  BOOST_TEST(partition.log().leader_epoch_cache().latest_epoch() == 4);
  // Re-appending below the log end is refused (offsets must be contiguous).
  BOOST_TEST(!partition.append_records_as_follower(b1, 9, 0));
  partition.truncate_to(3);
  BOOST_TEST(partition.log_end_offset() == 3);
  BOOST_TEST(partition.high_watermark() == 3);
  BOOST_TEST(!partition.make_follower(LeadershipState{1, 2, 4, {2, 1}, {1, 2}, 0}, 0));  // same epoch
}

BOOST_AUTO_TEST_SUITE_END()
