// dump_log: output for a small known log compared with Kafka's DumpLogSegments output for the same files
// (taken from Kafka 3.9's tool run on this test's segment; see log/README.md).
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "log/dump_log.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <sstream>

#include "log/format.h"
#include "log/log.h"
#include "log/log_cleaner.h"
#include "protocol/record_batch.h"
#include "test_util.h"

using namespace gregor;
using namespace gregor::log;
using namespace gregor::log::test;

namespace {

constexpr int64_t kTs = 1700000000000;

std::optional<std::span<const uint8_t>> bytes(const char* s) {
  if (s == nullptr) return std::nullopt;
  return byte_view(s);
}

void append(Log& log, RecordBatchBuilder& b, int32_t epoch) {
  auto batch = b.build();
  auto r = log.append_as_leader(batch, epoch, std::nullopt);
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
}

// A compacted log: a batch with headers, an idempotent producer's batch with a keyless record, a tombstone
// (given a delete horizon by a cleaning that also removed the record it deletes), then the active segment.
void write_sample_log(const std::filesystem::path& dir) {
  LogConfig c;
  c.segment_ms = 1'000'000;
  c.index_interval_bytes = 100;
  c.segment_index_bytes = 4096;
  c.cleanup_compact = true;
  c.file_delete_delay_ms = 0;
  auto opened = Log::open(dir, TopicPartition{"t", 0}, c, 0, true, 0);
  BOOST_REQUIRE(opened.has_value());
  Log& log = **opened;
  RecordBatchBuilder a;
  a.append(bytes("k0"), bytes("hello"), {{"h1", std::vector<uint8_t>{'x'}}, {"h2", std::nullopt}}, kTs);
  a.append(bytes("k1"), bytes("world"), {}, kTs + 1);
  a.append(bytes("k2"), bytes("again"), {}, kTs + 2);
  append(log, a, 0);
  RecordBatchBuilder b;
  b.set_producer(7, 1, 5);
  b.append(bytes("k3"), bytes("idempotent"), {}, kTs + 3);
  b.append(std::nullopt, bytes("no key"), {}, kTs + 4);
  append(log, b, 1);
  RecordBatchBuilder t;
  t.append(bytes("k1"), std::nullopt, {}, kTs + 5);
  append(log, t, 1);
  RecordBatchBuilder next;
  next.append(bytes("k4"), bytes("next segment"), {}, kTs + 10'000'000);
  append(log, next, 2);
  BOOST_REQUIRE(log.segment_count() == 2u);
  auto cleaned = LogCleaner::clean_now(log, INT64_MAX, 0, kTs + 20'000'000);
  BOOST_REQUIRE(cleaned.has_value() && cleaned->has_value());
  BOOST_REQUIRE(log.close().has_value());
}

std::string dump(const std::filesystem::path& file, bool records) {
  std::ostringstream out;
  dump_log_segment(file, out, records);
  std::string s = out.str();
  // The first line names the file as given; keep the expected text independent of the temp dir.
  auto dir = file.parent_path().string() + "/";
  for (size_t at; (at = s.find(dir)) != std::string::npos;) s.replace(at, dir.size(), "");
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dump_log)

// Output of `kafka.tools.DumpLogSegments --files <f> [--print-data-log]` (Kafka 3.9) run in the sample dir.
const char* const kKafkaOutput = R"(Dumping 00000000000000000000.log
Log starting offset: 0
baseOffset: 0 lastOffset: 2 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000002 size: 98 magic: 2 compresscodec: none crc: 2101212415 isvalid: true
| offset: 0 CreateTime: 1700000000000 keySize: 2 valueSize: 5 sequence: -1 headerKeys: [h1,h2] key: k0 payload: hello
| offset: 2 CreateTime: 1700000000002 keySize: 2 valueSize: 5 sequence: -1 headerKeys: [] key: k2 payload: again
baseOffset: 3 lastOffset: 4 count: 2 baseSequence: 5 lastSequence: 6 producerId: 7 producerEpoch: 1 partitionLeaderEpoch: 1 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 98 CreateTime: 1700000000004 size: 93 magic: 2 compresscodec: none crc: 1914856902 isvalid: true
| offset: 3 CreateTime: 1700000000003 keySize: 2 valueSize: 10 sequence: 5 headerKeys: [] key: k3 payload: idempotent
| offset: 4 CreateTime: 1700000000004 keySize: -1 valueSize: 6 sequence: 6 headerKeys: [] payload: no key
baseOffset: 5 lastOffset: 5 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 1 isTransactional: false isControl: false deleteHorizonMs: OptionalLong[1700106400000] position: 191 CreateTime: 1700000000005 size: 73 magic: 2 compresscodec: none crc: 2919472526 isvalid: true
| offset: 5 CreateTime: 1700000000005 keySize: 2 valueSize: -1 sequence: -1 headerKeys: [] key: k1
Dumping 00000000000000000000.log
Log starting offset: 0
baseOffset: 0 lastOffset: 2 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000002 size: 98 magic: 2 compresscodec: none crc: 2101212415 isvalid: true
baseOffset: 3 lastOffset: 4 count: 2 baseSequence: 5 lastSequence: 6 producerId: 7 producerEpoch: 1 partitionLeaderEpoch: 1 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 98 CreateTime: 1700000000004 size: 93 magic: 2 compresscodec: none crc: 1914856902 isvalid: true
baseOffset: 5 lastOffset: 5 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 1 isTransactional: false isControl: false deleteHorizonMs: OptionalLong[1700106400000] position: 191 CreateTime: 1700000000005 size: 73 magic: 2 compresscodec: none crc: 2919472526 isvalid: true
Dumping 00000000000000000000.index
offset: 5 position: 191
Dumping 00000000000000000000.timeindex
timestamp: 1700000000005 offset: 5
Dumping 00000000000000000006.snapshot
producerId: 7 producerEpoch: 1 coordinatorEpoch: -1 currentTxnFirstOffset: OptionalLong.empty lastTimestamp: 1700000000004 firstSequence: 5 lastSequence: 6 lastOffset: 4 offsetDelta: 1 timestamp: 1700000000004
Dumping 00000000000000000006.log
Log starting offset: 6
baseOffset: 6 lastOffset: 6 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 2 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700010000000 size: 82 magic: 2 compresscodec: none crc: 3600183824 isvalid: true
| offset: 6 CreateTime: 1700010000000 keySize: 2 valueSize: 12 sequence: -1 headerKeys: [] key: k4 payload: next segment
Dumping 00000000000000000006.index
00000000000000000006.index is empty.
Dumping 00000000000000000006.timeindex
timestamp: 1700010000000 offset: 6
)";

BOOST_AUTO_TEST_CASE(matches_kafka_dump_log_segments_output) {
  TempDir dir;
  write_sample_log(dir.path());
  // Keeps the sample for running Kafka's tool on it by hand.
  if (const char* keep = std::getenv("GREGOR_DUMP_LOG_SAMPLE_DIR")) {
    std::filesystem::copy(dir.path(), keep, std::filesystem::copy_options::recursive);
  }
  auto seg = [&](int64_t base, std::string_view suffix) {
    return format::file_path(dir.path(), base, suffix);
  };
  std::string got = dump(seg(0, ".log"), true) + dump(seg(0, ".log"), false) + dump(seg(0, ".index"), false) +
                    dump(seg(0, ".timeindex"), false) + dump(seg(6, ".snapshot"), false) +
                    dump(seg(6, ".log"), true) + dump(seg(6, ".index"), false) +
                    dump(seg(6, ".timeindex"), false);
  BOOST_TEST(got == kKafkaOutput);
}

BOOST_AUTO_TEST_CASE(reports_trailing_bytes_and_unknown_files) {
  TempDir dir;
  write_sample_log(dir.path());
  auto log_path = format::file_path(dir.path(), 6, ".log");
  auto bytes = read_file(log_path);
  bytes.resize(bytes.size() - 1);  // a torn last batch
  write_file(log_path, bytes);
  std::string got = dump(log_path, false);
  BOOST_TEST(got ==
             "Dumping 00000000000000000006.log\nLog starting offset: 6\n"
             "Found 81 invalid bytes at the end of 00000000000000000006.log\n");
  write_file(dir.path() / "x.txt", {1});
  BOOST_TEST(dump(dir.path() / "x.txt", false) == "Dumping x.txt\nIgnoring unknown file x.txt\n");
}

BOOST_AUTO_TEST_SUITE_END()
