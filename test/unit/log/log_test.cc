// Log: append/read round trips, rolls, reopen, index and timestamp lookups, read limits, truncation.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "log/log.h"

#include <signal.h>
#include <sys/resource.h>

#include <boost/test/unit_test.hpp>

#include "batch_maker.h"
#include "log/format.h"
#include "protocol/record_batch_header.h"
#include "test_util.h"

using namespace gregor;
using namespace gregor::log;
using namespace gregor::log::test;

namespace {

LogConfig small_config() {
  LogConfig c;
  c.segment_bytes = 2048;
  c.index_interval_bytes = 256;
  c.segment_index_bytes = 4096;
  return c;
}

std::unique_ptr<Log> open_log(const std::filesystem::path& dir, LogConfig config, int64_t recovery_point = 0,
                              bool clean = true, int64_t log_start = 0) {
  auto log = Log::open(dir, TopicPartition{"t", 0}, config, recovery_point, clean, log_start);
  BOOST_REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
  return std::move(*log);
}

// Appends `n` batches of 3 records; returns the bytes as stored (append rewrites them in place).
std::vector<std::vector<uint8_t>> append_batches(Log& log, int n, int64_t ts = 1000, int32_t epoch = 0) {
  std::vector<std::vector<uint8_t>> stored;
  for (int i = 0; i < n; ++i) {
    auto b = make_simple_batch(3, ts + i * 10, 20);
    auto info = log.append_as_leader(b, epoch, std::nullopt);
    BOOST_REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
    stored.push_back(std::move(b));
  }
  return stored;
}

std::vector<uint8_t> concat(const std::vector<std::vector<uint8_t>>& parts, size_t from = 0) {
  std::vector<uint8_t> out;
  for (size_t i = from; i < parts.size(); ++i) out.insert(out.end(), parts[i].begin(), parts[i].end());
  return out;
}

std::vector<uint8_t> read_all(const Log& log, int64_t from = 0) {
  auto r = log.read(from, INT32_MAX, INT64_MAX, true);
  BOOST_REQUIRE(r.has_value());
  return region_bytes(*r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(log_test)

BOOST_AUTO_TEST_CASE(AppendReadRoundTripAcrossManySegments) {
  TempDir tmp;
  auto log = open_log(tmp.path(), small_config());
  auto stored = append_batches(*log, 200);
  BOOST_TEST(log->log_end_offset() == 600);
  BOOST_TEST(log->segment_count() > 10u);
  for (size_t i = 0; i < stored.size(); ++i) {
    batch::Header h(stored[i].data());
    BOOST_TEST(h.base_offset() == static_cast<int64_t>(i * 3));
    BOOST_TEST(h.partition_leader_epoch() == 0);
    BOOST_TEST(h.crc_valid());
  }
  BOOST_TEST(read_all(*log) == concat(stored), boost::test_tools::per_element());
  // Every offset reads from the batch containing it, across segment boundaries.
  for (int64_t off = 0; off < 600; ++off) {
    auto r = log->read(off, 1, INT64_MAX, true);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->first_batch_offset == off / 3 * 3);
    BOOST_TEST(region_bytes(*r) == stored[static_cast<size_t>(off / 3)]);
  }
  auto end = log->read(600, 1000, INT64_MAX, true);
  BOOST_REQUIRE(end.has_value());
  BOOST_TEST(end->bytes == 0);
  BOOST_TEST(log->size_in_bytes() == static_cast<int64_t>(concat(stored).size()));
}

BOOST_AUTO_TEST_CASE(SegmentFilesNamedByBaseOffsetAndIndexesTrimmedOnRoll) {
  TempDir tmp;
  auto log = open_log(tmp.path(), small_config());
  append_batches(*log, 40);
  auto bases = log->segment_base_offsets();
  BOOST_REQUIRE(bases.size() > 2u);
  for (size_t i = 0; i < bases.size(); ++i) {
    auto idx = format::file_path(tmp.path(), bases[i], format::kIndexSuffix);
    BOOST_TEST(std::filesystem::exists(format::file_path(tmp.path(), bases[i], format::kLogSuffix)));
    if (i + 1 < bases.size()) {
      BOOST_TEST(std::filesystem::file_size(idx) % 8 == 0u);
      BOOST_TEST(std::filesystem::file_size(idx) < 4096u);  // trimmed
      BOOST_TEST(
          std::filesystem::file_size(format::file_path(tmp.path(), bases[i], format::kTimeIndexSuffix)) %
              12 ==
          0u);
    } else {
      BOOST_TEST(std::filesystem::file_size(idx) == 4096u);  // preallocated while active
    }
  }
  BOOST_TEST(format::file_name(bases[1], ".log") ==
             std::string(20 - std::to_string(bases[1]).size(), '0') + std::to_string(bases[1]) + ".log");
}

BOOST_AUTO_TEST_CASE(ReopenAfterCleanShutdownReadsBackByteIdentical) {
  TempDir tmp;
  std::vector<std::vector<uint8_t>> stored;
  {
    auto log = open_log(tmp.path(), small_config());
    stored = append_batches(*log, 50);
    BOOST_REQUIRE(log->close().has_value());
  }
  auto log = open_log(tmp.path(), small_config(), 150, true);
  BOOST_TEST(log->log_end_offset() == 150);
  BOOST_TEST(read_all(*log) == concat(stored), boost::test_tools::per_element());
  auto more = append_batches(*log, 5);
  BOOST_TEST(batch::Header(more[0].data()).base_offset() == 150);
  BOOST_TEST(log->log_end_offset() == 165);
}

BOOST_AUTO_TEST_CASE(ReopenAfterUncleanShutdownReadsBackByteIdentical) {
  TempDir tmp;
  std::vector<std::vector<uint8_t>> stored;
  {
    auto log = open_log(tmp.path(), small_config());
    stored = append_batches(*log, 50);
    // No close(): the active segment's indexes stay preallocated, as after a crash.
  }
  auto log = open_log(tmp.path(), small_config(), 0, false);
  BOOST_TEST(log->log_end_offset() == 150);
  BOOST_TEST(read_all(*log) == concat(stored), boost::test_tools::per_element());
  for (int64_t off = 0; off < 150; off += 7) {
    auto r = log->read(off, 1, INT64_MAX, true);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(region_bytes(*r) == stored[static_cast<size_t>(off / 3)]);
  }
}

BOOST_AUTO_TEST_CASE(ReadLimitsMaxBytesMinOneBatchAndMaxOffset) {
  TempDir tmp;
  LogConfig c;
  auto log = open_log(tmp.path(), c);
  auto stored = append_batches(*log, 10);
  int32_t one = static_cast<int32_t>(stored[0].size());
  auto r = log->read(0, one * 3 + one / 2, INT64_MAX, false);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->bytes == 3 * one);  // whole batches only
  auto tiny = log->read(3, 10, INT64_MAX, false);
  BOOST_REQUIRE(tiny.has_value());
  BOOST_TEST(tiny->bytes == 0);
  auto first_whole = log->read(3, 10, INT64_MAX, true);
  BOOST_REQUIRE(first_whole.has_value());
  BOOST_TEST(first_whole->bytes == one);
  BOOST_TEST(first_whole->first_batch_offset == 3);
  auto capped = log->read(0, INT32_MAX, 7, true);  // batches 0,3,6 start below 7
  BOOST_REQUIRE(capped.has_value());
  BOOST_TEST(capped->bytes == 3 * one);
  auto at_hw = log->read(6, INT32_MAX, 6, true);
  BOOST_REQUIRE(at_hw.has_value());
  BOOST_TEST(at_hw->bytes == 0);
  auto beyond = log->read(31, 100, INT64_MAX, true);
  BOOST_REQUIRE(!beyond.has_value());
  BOOST_TEST(static_cast<int>(beyond.error().kind) == static_cast<int>(LogErrorKind::offset_out_of_range));
}

BOOST_AUTO_TEST_CASE(OffsetForTimestampUsesTimeIndexThenScan) {
  TempDir tmp;
  auto log = open_log(tmp.path(), small_config());
  append_batches(*log, 100, 1000);  // batch i: records at 1000+10i, +1, +2
  // Brute force: the first record (offset 3i+k has timestamp 1000+10i+k) at or after ts.
  auto expected_for = [](int64_t ts) {
    for (int64_t off = 0; off < 300; ++off) {
      if (1000 + off / 3 * 10 + off % 3 >= ts) return off;
    }
    return int64_t{-1};
  };
  for (int64_t ts : {0, 1000, 1001, 1003, 1004, 1500, 1502, 1503, 1992}) {
    auto hit = log->offset_for_timestamp(ts, INT64_MAX);
    BOOST_REQUIRE(hit.has_value());
    BOOST_TEST(hit->offset == expected_for(ts), "ts " << ts);
    BOOST_TEST(hit->timestamp >= ts);
  }
  BOOST_TEST(!log->offset_for_timestamp(5000, INT64_MAX).has_value());
  BOOST_TEST(!log->offset_for_timestamp(1500, 100).has_value());  // hit at 150 is beyond max_offset
  // Same answers after an unclean reopen (indexes rebuilt).
  log.reset();
  auto reopened = open_log(tmp.path(), small_config(), 0, false);
  BOOST_TEST(reopened->offset_for_timestamp(1500, INT64_MAX)->offset == 150);
  BOOST_TEST(reopened->offset_for_timestamp(1501, INT64_MAX)->offset == 151);
}

BOOST_AUTO_TEST_CASE(LogAppendTimeStampsBatchAndRecomputesCrc) {
  TempDir tmp;
  auto log = open_log(tmp.path(), LogConfig{});
  auto b = make_simple_batch(4, 1000);
  auto info = log->append_as_leader(b, 3, 777777);
  BOOST_REQUIRE(info.has_value());
  BOOST_TEST(info->log_append_time == 777777);
  BOOST_TEST(info->max_timestamp == 777777);
  BOOST_TEST(info->first_offset == 0);
  BOOST_TEST(info->last_offset == 3);
  auto stored = read_all(*log);
  batch::Header h(stored.data());
  BOOST_TEST(h.is_log_append_time());
  BOOST_TEST(h.max_timestamp() == 777777);
  BOOST_TEST(h.partition_leader_epoch() == 3);
  BOOST_TEST(h.crc_valid());
  BOOST_TEST(log->leader_epoch_cache().latest_epoch() == 3);
}

BOOST_AUTO_TEST_CASE(CorruptBatchIsRefusedAndNothingWritten) {
  TempDir tmp;
  LogConfig c;
  c.max_message_bytes = 200;
  auto log = open_log(tmp.path(), c);
  auto bad_crc = make_simple_batch(2, 1000);
  bad_crc.back() ^= 0x1;
  auto r1 = log->append_as_leader(bad_crc, 0, std::nullopt);
  BOOST_REQUIRE(!r1.has_value());
  BOOST_TEST(static_cast<int>(r1.error().kind) == static_cast<int>(LogErrorKind::corrupt_message));
  auto big = make_simple_batch(10, 1000, 50);
  auto r2 = log->append_as_leader(big, 0, std::nullopt);
  BOOST_REQUIRE(!r2.has_value());
  BOOST_TEST(static_cast<int>(r2.error().kind) == static_cast<int>(LogErrorKind::message_too_large));
  auto truncated = make_simple_batch(2, 1000);
  truncated.resize(truncated.size() - 3);
  BOOST_TEST(!log->append_as_leader(truncated, 0, std::nullopt).has_value());
  auto magic = make_simple_batch(2, 1000);
  magic[batch::kMagic] = 1;
  auto r3 = log->append_as_leader(magic, 0, std::nullopt);
  BOOST_REQUIRE(!r3.has_value());
  BOOST_TEST(static_cast<int>(r3.error().kind) == static_cast<int>(LogErrorKind::invalid_record));
  BOOST_TEST(log->log_end_offset() == 0);
  BOOST_TEST(log->size_in_bytes() == 0);
}

BOOST_AUTO_TEST_CASE(FollowerAppendKeepsLeaderOffsetsAndEpochs) {
  TempDir leader_dir, follower_dir;
  auto leader = open_log(leader_dir.path(), small_config());
  append_batches(*leader, 5, 1000, 1);
  append_batches(*leader, 5, 2000, 4);
  auto follower = open_log(follower_dir.path(), small_config());
  auto fetched = read_all(*leader);
  auto info = follower->append_as_follower(fetched);
  BOOST_REQUIRE(info.has_value());
  BOOST_TEST(follower->log_end_offset() == 30);
  BOOST_TEST(read_all(*follower) == fetched, boost::test_tools::per_element());
  auto entries = follower->leader_epoch_cache().entries();
  BOOST_REQUIRE(entries.size() == 2u);
  BOOST_TEST(entries[0].first == 1);
  BOOST_TEST(entries[0].second == 0);
  BOOST_TEST(entries[1].first == 4);
  BOOST_TEST(entries[1].second == 15);
  auto again = follower->append_as_follower(fetched);  // starts below the log end offset
  BOOST_TEST(!again.has_value());
}

BOOST_AUTO_TEST_CASE(TruncateToDropsTailAndAppendsContinueDense) {
  TempDir tmp;
  auto log = open_log(tmp.path(), small_config());
  auto stored = append_batches(*log, 60, 1000, 0);
  append_batches(*log, 10, 5000, 2);
  size_t before = log->segment_count();
  log->truncate_to(90);
  BOOST_TEST(log->log_end_offset() == 90);
  BOOST_TEST(log->segment_count() < before);
  BOOST_TEST(log->leader_epoch_cache().latest_epoch() == 0);
  std::vector<std::vector<uint8_t>> first30(stored.begin(), stored.begin() + 30);
  BOOST_TEST(read_all(*log) == concat(first30), boost::test_tools::per_element());
  auto more = append_batches(*log, 2);
  BOOST_TEST(batch::Header(more[0].data()).base_offset() == 90);
  // Mid-batch truncation cuts at the batch start.
  log->truncate_to(91);
  BOOST_TEST(log->log_end_offset() == 90);
  log->truncate_fully_and_start_at(1000);
  BOOST_TEST(log->log_start_offset() == 1000);
  BOOST_TEST(log->log_end_offset() == 1000);
  BOOST_TEST(log->segment_count() == 1u);
  auto after = append_batches(*log, 1);
  BOOST_TEST(batch::Header(after[0].data()).base_offset() == 1000);
  BOOST_TEST(std::filesystem::exists(format::file_path(tmp.path(), 1000, ".log")));
}

BOOST_AUTO_TEST_CASE(IoErrorOnAppendTakesLogOfflineWithoutServingTornBytes) {
  TempDir tmp;
  auto log = open_log(tmp.path(), LogConfig{});
  append_batches(*log, 3);
  int64_t size = log->size_in_bytes();
  // A file-size limit makes the next write fail with EFBIG, like a full disk.
  struct rlimit old_limit;
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = static_cast<rlim_t>(size + 30);
  ::setrlimit(RLIMIT_FSIZE, &limit);
  auto b = make_simple_batch(3, 5000, 100);
  auto r = log->append_as_leader(b, 0, std::nullopt);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(static_cast<int>(r.error().kind) == static_cast<int>(LogErrorKind::storage_error));
  BOOST_TEST(log->offline());
  auto read = log->read(0, 1000, INT64_MAX, true);
  BOOST_REQUIRE(!read.has_value());
  BOOST_TEST(static_cast<int>(read.error().kind) == static_cast<int>(LogErrorKind::log_offline));
  BOOST_TEST(std::filesystem::file_size(format::file_path(tmp.path(), 0, ".log")) ==
             static_cast<uintmax_t>(size));
  log.reset();
  auto reopened = open_log(tmp.path(), LogConfig{}, 0, false);
  BOOST_TEST(reopened->log_end_offset() == 9);
}

BOOST_AUTO_TEST_SUITE_END()
