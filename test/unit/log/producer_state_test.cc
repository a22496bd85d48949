// Idempotent producers: duplicates of the last 5 batches, out-of-order sequences, epochs, reopen.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include "batch_maker.h"
#include "log/log.h"
#include "test_util.h"

using namespace gregor;
using namespace gregor::log;
using namespace gregor::log::test;

namespace {

LogConfig small_config() {
  LogConfig c;
  c.segment_bytes = 1024;
  c.index_interval_bytes = 128;
  c.segment_index_bytes = 4096;
  return c;
}

std::unique_ptr<Log> open_log(const std::filesystem::path& dir, bool clean = true) {
  auto log = Log::open(dir, TopicPartition{"t", 0}, small_config(), 0, clean, 0);
  BOOST_REQUIRE(log.has_value());
  return std::move(*log);
}

std::vector<uint8_t> pbatch(int64_t pid, int16_t epoch, int32_t seq, int count = 3) {
  return make_simple_batch(count, 1000 + seq, 40, BatchOptions{0, -1, pid, epoch, seq});
}

Result<AppendInfo, LogError> append(Log& log, std::vector<uint8_t> b) {
  return log.append_as_leader(b, 0, std::nullopt);
}

LogErrorKind error_of(const Result<AppendInfo, LogError>& r) {
  BOOST_REQUIRE(!r.has_value());
  return r.error().kind;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(producer_state_test)

BOOST_AUTO_TEST_CASE(DuplicateOfEachOfLastFiveBatchesReturnsOriginalOffsets) {
  TempDir tmp;
  auto log = open_log(tmp.path());
  BOOST_REQUIRE(append(*log, make_simple_batch(2, 1)).has_value());  // non-idempotent data first
  std::vector<AppendInfo> originals;
  for (int i = 0; i < 6; ++i) {
    auto r = append(*log, pbatch(42, 0, i * 3));
    BOOST_REQUIRE(r.has_value());
    originals.push_back(*r);
  }
  int64_t leo = log->log_end_offset();
  int64_t size = log->size_in_bytes();
  for (int i = 1; i < 6; ++i) {
    auto r = append(*log, pbatch(42, 0, i * 3));
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->duplicate);
    BOOST_TEST(r->first_offset == originals[static_cast<size_t>(i)].first_offset);
    BOOST_TEST(r->last_offset == originals[static_cast<size_t>(i)].last_offset);
  }
  BOOST_TEST(log->log_end_offset() == leo);
  BOOST_TEST(log->size_in_bytes() == size);
  // The 6th-newest batch has left the window: it is an out-of-order sequence now.
  BOOST_TEST(static_cast<int>(error_of(append(*log, pbatch(42, 0, 0)))) ==
             static_cast<int>(LogErrorKind::out_of_order_sequence));
}

BOOST_AUTO_TEST_CASE(OutOfOrderSequenceIsRejectedAndNothingWritten) {
  TempDir tmp;
  auto log = open_log(tmp.path());
  BOOST_REQUIRE(append(*log, pbatch(7, 0, 0)).has_value());
  int64_t leo = log->log_end_offset();
  BOOST_TEST(static_cast<int>(error_of(append(*log, pbatch(7, 0, 5)))) ==
             static_cast<int>(LogErrorKind::out_of_order_sequence));
  BOOST_TEST(log->log_end_offset() == leo);
  BOOST_REQUIRE(append(*log, pbatch(7, 0, 3)).has_value());
}

BOOST_AUTO_TEST_CASE(EpochBumpMustRestartAtZeroAndOldEpochIsFenced) {
  TempDir tmp;
  auto log = open_log(tmp.path());
  BOOST_REQUIRE(append(*log, pbatch(7, 0, 0)).has_value());
  BOOST_REQUIRE(append(*log, pbatch(7, 0, 3)).has_value());
  BOOST_TEST(static_cast<int>(error_of(append(*log, pbatch(7, 1, 6)))) ==
             static_cast<int>(LogErrorKind::out_of_order_sequence));
  BOOST_REQUIRE(append(*log, pbatch(7, 1, 0)).has_value());
  BOOST_TEST(static_cast<int>(error_of(append(*log, pbatch(7, 0, 6)))) ==
             static_cast<int>(LogErrorKind::invalid_producer_epoch));
  BOOST_REQUIRE(append(*log, pbatch(7, 1, 3)).has_value());
}

BOOST_AUTO_TEST_CASE(UnknownProducerAcceptsAnySequence) {
  TempDir tmp;
  auto log = open_log(tmp.path());
  BOOST_REQUIRE(append(*log, pbatch(9, 4, 1000)).has_value());
  BOOST_REQUIRE(append(*log, pbatch(9, 4, 1003)).has_value());
}

BOOST_AUTO_TEST_CASE(ProducerStateSurvivesCleanAndUncleanReopen) {
  for (bool clean : {true, false}) {
    TempDir tmp;
    std::vector<AppendInfo> originals;
    {
      auto log = open_log(tmp.path());
      for (int i = 0; i < 30; ++i) {  // many rolls: snapshots are taken at each
        auto r = append(*log, pbatch(42, 2, i * 3));
        BOOST_REQUIRE(r.has_value());
        originals.push_back(*r);
      }
      BOOST_REQUIRE(log->segment_count() > 3u);
      if (clean) BOOST_REQUIRE(log->close().has_value());
    }
    auto log = open_log(tmp.path(), clean);
    for (int i = 25; i < 30; ++i) {
      auto r = append(*log, pbatch(42, 2, i * 3));
      BOOST_REQUIRE(r.has_value());
      BOOST_TEST(r->duplicate, "clean=" << clean << " batch " << i);
      BOOST_TEST(r->first_offset == originals[static_cast<size_t>(i)].first_offset);
    }
    BOOST_TEST(static_cast<int>(error_of(append(*log, pbatch(42, 2, 24 * 3)))) ==
               static_cast<int>(LogErrorKind::out_of_order_sequence));
    BOOST_TEST(static_cast<int>(error_of(append(*log, pbatch(42, 1, 0)))) ==
               static_cast<int>(LogErrorKind::invalid_producer_epoch));
    BOOST_REQUIRE(append(*log, pbatch(42, 2, 90)).has_value());
  }
}

BOOST_AUTO_TEST_CASE(TruncationRewindsProducerState) {
  TempDir tmp;
  auto log = open_log(tmp.path());
  std::vector<AppendInfo> originals;
  for (int i = 0; i < 20; ++i) {
    auto r = append(*log, pbatch(5, 0, i * 3));
    BOOST_REQUIRE(r.has_value());
    originals.push_back(*r);
  }
  log->truncate_to(originals[10].first_offset);
  // Batch 10 is new again; batch 9 is a duplicate.
  auto dup = append(*log, pbatch(5, 0, 27));
  BOOST_REQUIRE(dup.has_value());
  BOOST_TEST(dup->duplicate);
  auto fresh = append(*log, pbatch(5, 0, 30));
  BOOST_REQUIRE(fresh.has_value());
  BOOST_TEST(!fresh->duplicate);
  BOOST_TEST(fresh->first_offset == originals[10].first_offset);
}

BOOST_AUTO_TEST_SUITE_END()
