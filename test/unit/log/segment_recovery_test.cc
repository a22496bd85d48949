// Recovery: torn tails cut at every byte, flipped bytes, zero-filled tails, missing or corrupt indexes.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <spdlog/sinks/ostream_sink.h>

#include <boost/test/unit_test.hpp>
#include <sstream>

#include "batch_maker.h"
#include "log/format.h"
#include "log/log.h"
#include "log/logger.h"
#include "protocol/record_batch_header.h"
#include "test_util.h"

using namespace gregor;
using namespace gregor::log;
using namespace gregor::log::test;

namespace {

LogConfig small_config() {
  LogConfig c;
  c.segment_bytes = 2048;
  c.index_interval_bytes = 200;
  c.segment_index_bytes = 4096;
  return c;
}

std::unique_ptr<Log> open_log(const std::filesystem::path& dir, bool clean, int64_t recovery_point = 0) {
  auto log = Log::open(dir, TopicPartition{"t", 0}, small_config(), recovery_point, clean, 0);
  BOOST_REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
  return std::move(*log);
}

// Log with `n` batches of 2 records, closed cleanly; returns the stored batches.
std::vector<std::vector<uint8_t>> build(const std::filesystem::path& dir, int n) {
  auto log = open_log(dir, true);
  std::vector<std::vector<uint8_t>> stored;
  for (int i = 0; i < n; ++i) {
    auto b = make_simple_batch(2, 1000 + i, 30);
    BOOST_REQUIRE(log->append_as_leader(b, 0, std::nullopt).has_value());
    stored.push_back(b);
  }
  BOOST_REQUIRE(log->close().has_value());
  return stored;
}

std::vector<uint8_t> concat(const std::vector<std::vector<uint8_t>>& parts, size_t count) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < count; ++i) out.insert(out.end(), parts[i].begin(), parts[i].end());
  return out;
}

std::vector<uint8_t> read_all(const Log& log) {
  auto r = log.read(log.log_start_offset(), INT32_MAX, INT64_MAX, true);
  BOOST_REQUIRE(r.has_value());
  return region_bytes(*r);
}

std::filesystem::path last_segment(const Log& log) {
  return format::file_path(log.dir(), log.segment_base_offsets().back(), format::kLogSuffix);
}

// Captures the "log" logger's output.
struct CaptureLog {
  std::ostringstream out;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink =
      std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  CaptureLog() { logger().sinks().push_back(sink); }
  ~CaptureLog() { logger().sinks().pop_back(); }
  int count(const std::string& needle) const {
    std::string s = out.str();
    int n = 0;
    for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
    return n;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(segment_recovery_test)

BOOST_AUTO_TEST_CASE(TruncatedLastBatchAtEveryByteKeepsExactlyTheValidPrefix) {
  TempDir src;
  auto stored = build(src.path(), 30);
  std::filesystem::path seg_file;
  int64_t seg_base = 0;
  {
    auto log = open_log(src.path(), true);
    seg_file = last_segment(*log);
    seg_base = log->segment_base_offsets().back();
  }
  auto full = read_file(seg_file);
  size_t last_size = stored.back().size();
  size_t last_pos = full.size() - last_size;
  for (size_t cut = last_pos; cut < full.size(); ++cut) {
    TempDir copy;
    std::filesystem::copy(
        src.path(), copy.path(),
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(copy.path() / seg_file.filename(), cut);
    auto log = open_log(copy.path(), false, seg_base);
    BOOST_TEST(log->log_end_offset() == 58, "cut " << cut);
    BOOST_TEST(read_all(*log) == concat(stored, 29));
    auto b = make_simple_batch(2, 5000);
    auto info = log->append_as_leader(b, 0, std::nullopt);
    BOOST_REQUIRE(info.has_value());
    BOOST_TEST(info->first_offset == 58);
    BOOST_TEST(log->log_end_offset() == 60);
  }
}

BOOST_AUTO_TEST_CASE(FlippedByteInMiddleBatchCutsLogBeforeItAndDropsLaterSegments) {
  TempDir tmp;
  auto stored = build(tmp.path(), 60);
  std::vector<int64_t> bases;
  {
    auto log = open_log(tmp.path(), true);
    bases = log->segment_base_offsets();
  }
  BOOST_REQUIRE(bases.size() >= 4u);
  // Damage the second batch of the second segment (inside the CRC range).
  int64_t target_batch = bases[1] / 2 + 1;
  auto path = format::file_path(tmp.path(), bases[1], format::kLogSuffix);
  auto bytes = read_file(path);
  size_t pos = stored[static_cast<size_t>(bases[1] / 2)].size() + batch::kHeaderSize + 5;
  bytes[pos] ^= 0x40;
  write_file(path, bytes);
  CaptureLog capture;
  auto log = open_log(tmp.path(), false, 0);
  BOOST_TEST(log->log_end_offset() == target_batch * 2);
  BOOST_TEST(log->segment_count() == 2u);
  BOOST_TEST(read_all(*log) == concat(stored, static_cast<size_t>(target_batch)));
  BOOST_TEST(!std::filesystem::exists(format::file_path(tmp.path(), bases[2], format::kLogSuffix)));
  BOOST_TEST(capture.count("truncated") == 1);
  BOOST_TEST(capture.count(format::file_name(bases[1], ".log")) == 1);
  BOOST_TEST(capture.count("CRC mismatch") == 1);
}

BOOST_AUTO_TEST_CASE(ZeroFilledTailIsCutOff) {
  TempDir tmp;
  auto stored = build(tmp.path(), 20);
  std::filesystem::path seg;
  int64_t size = 0;
  {
    auto log = open_log(tmp.path(), true);
    seg = last_segment(*log);
    size = log->size_in_bytes();
  }
  auto bytes = read_file(seg);
  size_t valid = bytes.size();
  bytes.resize(valid + 4096, 0);
  write_file(seg, bytes);
  auto log = open_log(tmp.path(), false, 0);
  BOOST_TEST(log->log_end_offset() == 40);
  BOOST_TEST(log->size_in_bytes() == size);
  BOOST_TEST(std::filesystem::file_size(seg) == valid);
  BOOST_TEST(read_all(*log) == concat(stored, 20));
}

BOOST_AUTO_TEST_CASE(BackwardsOffsetIsTreatedAsCorruption) {
  TempDir tmp;
  auto stored = build(tmp.path(), 5);
  auto path = format::file_path(tmp.path(), 0, format::kLogSuffix);
  auto bytes = read_file(path);
  size_t third = stored[0].size() + stored[1].size();
  batch::Header(bytes.data() + third)
      .set_base_offset(0);  // outside the CRC, so only the offset check sees it
  write_file(path, bytes);
  auto log = open_log(tmp.path(), false, 0);
  BOOST_TEST(log->log_end_offset() == 4);
}

BOOST_AUTO_TEST_CASE(MissingIndexIsRebuiltWithSameLookups) {
  TempDir tmp;
  auto stored = build(tmp.path(), 60);
  auto idx = format::file_path(tmp.path(), 0, format::kIndexSuffix);
  auto tidx = format::file_path(tmp.path(), 0, format::kTimeIndexSuffix);
  auto original = read_file(idx);
  auto original_time = read_file(tidx);
  BOOST_REQUIRE(!original.empty());
  std::filesystem::remove(idx);
  std::filesystem::remove(tidx);
  auto log = open_log(tmp.path(), true);  // even after a clean shutdown
  BOOST_TEST(read_file(idx) == original, boost::test_tools::per_element());
  BOOST_TEST(read_file(tidx) == original_time, boost::test_tools::per_element());
  for (int64_t off = 0; off < 120; ++off) {
    auto r = log->read(off, 1, INT64_MAX, true);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(region_bytes(*r) == stored[static_cast<size_t>(off / 2)]);
  }
}

BOOST_AUTO_TEST_CASE(CorruptIndexIsRebuiltWithSameLookups) {
  TempDir tmp;
  auto stored = build(tmp.path(), 60);
  auto idx = format::file_path(tmp.path(), 0, format::kIndexSuffix);
  auto original = read_file(idx);
  BOOST_REQUIRE(original.size() >= 16u);
  auto bad = original;
  std::swap_ranges(bad.begin(), bad.begin() + 8, bad.begin() + 8);  // offsets no longer increasing
  write_file(idx, bad);
  auto log = open_log(tmp.path(), true);
  BOOST_TEST(read_file(idx) == original, boost::test_tools::per_element());
  for (int64_t off = 0; off < 120; off += 3) {
    auto r = log->read(off, 1, INT64_MAX, true);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(region_bytes(*r) == stored[static_cast<size_t>(off / 2)]);
  }
  // A length that is not a multiple of the entry size is corrupt too.
  log.reset();
  auto odd = original;
  odd.push_back(7);
  write_file(idx, odd);
  auto again = open_log(tmp.path(), true);
  BOOST_TEST(read_file(idx) == original, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
