// Retention: by time, by size, by log start offset; never the active segment; .deleted files.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include "batch_maker.h"
#include "log/background_tasks.h"
#include "log/format.h"
#include "log/log.h"
#include "test_util.h"

using namespace gregor;
using namespace gregor::log;
using namespace gregor::log::test;

namespace {

LogConfig retention_config() {
  LogConfig c;
  c.segment_bytes = 1024;
  c.index_interval_bytes = 128;
  c.segment_index_bytes = 4096;
  c.file_delete_delay_ms = 0;
  return c;
}

std::unique_ptr<Log> open_log(const std::filesystem::path& dir, LogConfig c) {
  auto log = Log::open(dir, TopicPartition{"t", 0}, c, 0, true, 0);
  BOOST_REQUIRE(log.has_value());
  return std::move(*log);
}

// Batches with timestamps ts0, ts0+step, ...
void fill(Log& log, int n, int64_t ts0, int64_t step) {
  for (int i = 0; i < n; ++i) {
    auto b = make_simple_batch(2, ts0 + i * step, 60);
    BOOST_REQUIRE(log.append_as_leader(b, 0, std::nullopt).has_value());
  }
}

bool any_file_with_suffix(const std::filesystem::path& dir, std::string_view suffix) {
  for (const auto& de : std::filesystem::directory_iterator(dir)) {
    if (de.path().filename().string().ends_with(suffix)) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(retention_test)

BOOST_AUTO_TEST_CASE(RetentionByTimeDeletesExpiredSegmentsOldestFirst) {
  TempDir tmp;
  LogConfig c = retention_config();
  c.retention_ms = 10000;
  auto log = open_log(tmp.path(), c);
  fill(*log, 60, 100000, 1000);  // timestamps 100000 .. 159000
  auto bases = log->segment_base_offsets();
  BOOST_REQUIRE(bases.size() > 5u);
  // now = 130000: segments whose newest record is before 120000 are expired.
  int deleted = log->delete_old_segments(130000, log->log_end_offset());
  BOOST_TEST(deleted > 0);
  int64_t new_start = log->log_start_offset();
  BOOST_TEST(new_start == log->segment_base_offsets().front());
  auto first = log->read(new_start, 1, INT64_MAX, true);
  BOOST_REQUIRE(first.has_value());
  // The first remaining segment still holds a record at or after 120000 - 1000.
  auto hit = log->offset_for_timestamp(0, INT64_MAX);
  BOOST_REQUIRE(hit.has_value());
  BOOST_TEST(hit->offset == new_start);
  BOOST_TEST(hit->timestamp >= 119000);
  BOOST_TEST(!std::filesystem::exists(format::file_path(tmp.path(), 0, ".log")));
  BOOST_TEST(!log->read(0, 100, INT64_MAX, true).has_value());  // below the log start now
}

BOOST_AUTO_TEST_CASE(RetentionNeverDeletesTheActiveSegment) {
  TempDir tmp;
  LogConfig c = retention_config();
  c.retention_ms = 1;
  auto log = open_log(tmp.path(), c);
  fill(*log, 40, 1000, 1);
  size_t segments = log->segment_count();
  int deleted = log->delete_old_segments(10'000'000, log->log_end_offset());
  BOOST_TEST(deleted == static_cast<int>(segments) - 1);
  BOOST_TEST(log->segment_count() == 1u);
  BOOST_TEST(log->log_start_offset() == log->segment_base_offsets().front());
  BOOST_TEST(log->delete_old_segments(10'000'000, log->log_end_offset()) == 0);
  BOOST_TEST(log->log_end_offset() == 80);
}

BOOST_AUTO_TEST_CASE(RetentionBySizeKeepsAtMostRetentionBytes) {
  TempDir tmp;
  LogConfig c = retention_config();
  c.retention_ms = -1;
  c.retention_bytes = 3000;
  auto log = open_log(tmp.path(), c);
  fill(*log, 60, 1000, 1);
  int64_t before = log->size_in_bytes();
  BOOST_REQUIRE(before > 6000);
  int deleted = log->delete_old_segments(0, log->log_end_offset());
  BOOST_TEST(deleted > 0);
  BOOST_TEST(log->size_in_bytes() <= 3000 + 1024);
  BOOST_TEST(log->size_in_bytes() >= 3000 - 1024);
  BOOST_TEST(log->log_start_offset() == log->segment_base_offsets().front());
}

BOOST_AUTO_TEST_CASE(RetentionStopsAtHighWatermark) {
  TempDir tmp;
  LogConfig c = retention_config();
  c.retention_ms = 1;
  auto log = open_log(tmp.path(), c);
  fill(*log, 40, 1000, 1);
  auto bases = log->segment_base_offsets();
  int deleted = log->delete_old_segments(10'000'000, bases[2]);  // only segments ending at or below the HW
  BOOST_TEST(deleted == 2);
  BOOST_TEST(log->log_start_offset() == bases[2]);
}

BOOST_AUTO_TEST_CASE(LogStartOffsetMovesAndSegmentsBelowItGo) {
  TempDir tmp;
  LogConfig c = retention_config();
  c.retention_ms = -1;
  c.cleanup_delete = false;
  c.cleanup_compact = true;  // compacted logs still honour the log start offset
  auto log = open_log(tmp.path(), c);
  fill(*log, 40, 1000, 1);
  auto bases = log->segment_base_offsets();
  log->maybe_increment_log_start_offset(bases[3] + 1);
  BOOST_TEST(log->log_start_offset() == bases[3] + 1);
  BOOST_TEST(log->delete_old_segments(0, log->log_end_offset()) == 3);
  BOOST_TEST(log->log_start_offset() == bases[3] + 1);
  BOOST_TEST(log->segment_base_offsets().front() == bases[3]);
}

BOOST_AUTO_TEST_CASE(DeletedSegmentsAreRenamedAndRemovedAfterTheDelay) {
  TempDir tmp;
  LogConfig c = retention_config();
  c.retention_ms = 1;
  c.file_delete_delay_ms = 600000;
  BackgroundTasks background({});
  auto log = open_log(tmp.path(), c);
  log->set_background(&background);
  fill(*log, 40, 1000, 1);
  background.wait_idle(false);
  BOOST_TEST(log->delete_old_segments(10'000'000, log->log_end_offset()) > 0);
  BOOST_TEST(any_file_with_suffix(tmp.path(), ".log.deleted"));
  BOOST_TEST(any_file_with_suffix(tmp.path(), ".index.deleted"));
  background.wait_idle(true);
  BOOST_TEST(!any_file_with_suffix(tmp.path(), ".deleted"));
}

BOOST_AUTO_TEST_CASE(FetchRegionOutlivesSegmentDeletion) {
  TempDir tmp;
  LogConfig c = retention_config();
  c.retention_ms = 1;
  auto log = open_log(tmp.path(), c);
  fill(*log, 40, 1000, 1);
  auto fetched = log->read(0, 500, INT64_MAX, true);
  BOOST_REQUIRE(fetched.has_value());
  auto before = region_bytes(*fetched);
  BOOST_REQUIRE(log->delete_old_segments(10'000'000, log->log_end_offset()) > 0);
  BOOST_TEST(!std::filesystem::exists(format::file_path(tmp.path(), 0, ".log")));
  BOOST_TEST(region_bytes(*fetched) == before, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
