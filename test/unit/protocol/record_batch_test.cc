// Tests for protocol/record_batch.h: builder/validator/decoder round trips, each validation failure,
// fixtures.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "protocol/record_batch.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/crc32c.h"
#include "protocol/varint.h"

using namespace gregor;
using batch::Compression;
using Bytes = std::vector<uint8_t>;

namespace {

const Compression kCodecs[] = {Compression::none, Compression::gzip, Compression::snappy, Compression::lz4,
                               Compression::zstd};

Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::optional<std::span<const uint8_t>> opt_view(const std::optional<Bytes>& b) {
  if (!b) return std::nullopt;
  return std::span<const uint8_t>(*b);
}

// A varied set of records: keyed, null key, tombstone, headers with null values, empty key/value.
std::vector<Record> sample_records(int n, int64_t base_ts = 1700000000000) {
  std::vector<Record> out;
  for (int i = 0; i < n; ++i) {
    Record r;
    r.offset = i;
    // Timestamps not monotonic: deltas may be negative.
    r.timestamp = base_ts + (i % 7 == 3 ? -5 : i * 3);
    if (i % 5 != 1) r.key = bytes("key-" + std::to_string(i));
    if (i % 4 != 2) r.value = bytes(std::string(static_cast<size_t>(i % 50), 'v') + std::to_string(i));
    if (i % 9 == 0) r.key = Bytes{};
    if (i % 3 == 0) {
      r.headers.push_back({"h1", bytes("one")});
      r.headers.push_back({"null-header", std::nullopt});
      r.headers.push_back({"", Bytes{}});
    }
    out.push_back(std::move(r));
  }
  return out;
}

Bytes build(const std::vector<Record>& records, Compression c = Compression::none) {
  RecordBatchBuilder b(c);
  for (const Record& r : records) b.append(opt_view(r.key), opt_view(r.value), r.headers, r.timestamp);
  return b.build();
}

// A batch with a hand-made records area: only the header is filled in, the CRC made valid.
Bytes raw_batch(const Bytes& area, int32_t count, int32_t last_offset_delta, int16_t attributes = 0,
                int64_t producer_id = -1, int32_t base_sequence = -1) {
  Bytes out(batch::kHeaderSize + area.size());
  uint8_t* p = out.data();
  store_be64(p, 0);
  store_be32(p + batch::kBatchLength, static_cast<uint32_t>(out.size() - batch::kLogOverhead));
  store_be32(p + batch::kPartitionLeaderEpoch, 0xFFFFFFFFu);
  p[batch::kMagic] = 2;
  store_be16(p + batch::kAttributes, static_cast<uint16_t>(attributes));
  store_be32(p + batch::kLastOffsetDelta, static_cast<uint32_t>(last_offset_delta));
  store_be64(p + batch::kBaseTimestamp, 1000);
  store_be64(p + batch::kMaxTimestamp, 1000);
  store_be64(p + batch::kProducerId, static_cast<uint64_t>(producer_id));
  store_be16(p + batch::kProducerEpoch, producer_id >= 0 ? 0 : 0xFFFF);
  store_be32(p + batch::kBaseSequence, static_cast<uint32_t>(base_sequence));
  store_be32(p + batch::kRecordsCount, static_cast<uint32_t>(count));
  std::copy(area.begin(), area.end(), p + batch::kHeaderSize);
  batch::Header(p).update_crc();
  return out;
}

Bytes records_area(std::initializer_list<int32_t> offset_deltas) {
  Bytes area;
  auto v = byte_view("value");
  for (int32_t d : offset_deltas) encode_record(area, 0, d, std::nullopt, v, {});
  return area;
}

void check_decoded(const std::vector<Record>& got, const std::vector<Record>& want, int64_t base_offset = 0) {
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST_CONTEXT("record " << i) {
      BOOST_TEST(got[i].offset == want[i].offset + base_offset);
      BOOST_TEST(got[i].timestamp == want[i].timestamp);
      BOOST_TEST((got[i].key == want[i].key));
      BOOST_TEST((got[i].value == want[i].value));
      BOOST_TEST((got[i].headers == want[i].headers));
    }
  }
}

void check_fails(const Bytes& b, ErrorCode code, int32_t index = -1, const ValidationLimits& limits = {}) {
  BatchValidation v = validate_batch(b, limits);
  BOOST_TEST((v.error == code),
             "got " << to_string(v.error) << " (" << v.message << "), want " << to_string(code));
  BOOST_TEST(v.record_index == index);
  BOOST_TEST(!v.message.empty());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(varint_codec)

BOOST_AUTO_TEST_CASE(zigzag_round_trip_and_sizes) {
  for (int64_t v : std::initializer_list<int64_t>{0, 1, -1, 63, -64, 64, 300, -300, (1LL << 31) - 1,
                                                  -(1LL << 31), INT64_MAX, INT64_MIN}) {
    Bytes out;
    varint::append_long(out, v);
    BOOST_TEST(out.size() == varint::size_of_long(v));
    size_t pos = 0;
    int64_t back = 0;
    BOOST_TEST(varint::read_long(out, pos, back));
    BOOST_TEST(back == v);
    BOOST_TEST(pos == out.size());
  }
  Bytes one;
  varint::append(one, -1);
  BOOST_TEST((one == Bytes{0x01}));  // zig-zag: -1 -> 1
  Bytes big;
  varint::append(big, 300);
  BOOST_TEST((big == Bytes{0xd8, 0x04}));  // 600 = 0x258
}

BOOST_AUTO_TEST_CASE(rejects_truncated_and_overlong) {
  size_t pos = 0;
  int32_t v = 0;
  Bytes truncated = {0x80, 0x80};
  BOOST_TEST(!varint::read(truncated, pos, v));
  BOOST_TEST(pos == 0u);
  Bytes overlong = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  BOOST_TEST(!varint::read(overlong, pos, v));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(record_batch)

BOOST_AUTO_TEST_CASE(builder_byte_layout_matches_kafka) {
  RecordBatchBuilder b;
  b.append(byte_view("k"), byte_view("v"), {}, 1000);
  Bytes got = b.build();
  // DefaultRecordBatch header + DefaultRecord, written out by hand from spec §6.1/§6.2.
  Bytes want = {
      0,    0,    0,    0,    0,    0,    0,    0,     // baseOffset
      0,    0,    0,    58,                            // batchLength = 61 - 12 + 9
      0xff, 0xff, 0xff, 0xff,                          // partitionLeaderEpoch
      2,                                               // magic
      0,    0,    0,    0,                             // crc (checked below)
      0,    0,                                         // attributes
      0,    0,    0,    0,                             // lastOffsetDelta
      0,    0,    0,    0,    0,    0,    0x03, 0xe8,  // baseTimestamp
      0,    0,    0,    0,    0,    0,    0x03, 0xe8,  // maxTimestamp
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // producerId
      0xff, 0xff,                                      // producerEpoch
      0xff, 0xff, 0xff, 0xff,                          // baseSequence
      0,    0,    0,    1,                             // recordsCount
      0x10, 0,    0,    0,    0x02, 'k',  0x02, 'v',
      0,  // record: length 8, attrs, ts, offset, key, value, 0 headers
  };
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  uint32_t crc = crc32c(got.data() + 21, got.size() - 21);
  store_be32(want.data() + 17, crc);
  BOOST_TEST((got == want));
  BOOST_TEST(batch::Header(got.data()).crc_valid());
}

BOOST_AUTO_TEST_CASE(round_trip_every_codec) {
  std::vector<Record> records = sample_records(40);
  for (Compression c : kCodecs) {
    BOOST_TEST_CONTEXT("codec " << to_string(c)) {
      Bytes b = build(records, c);
      batch::Header h(b.data());
      BOOST_TEST((h.compression() == c));
      BOOST_TEST(h.records_count() == 40);
      BOOST_TEST(h.last_offset_delta() == 39);
      BOOST_TEST(h.base_timestamp() == records[0].timestamp);
      BOOST_TEST(h.max_timestamp() == records[39].timestamp);
      BatchValidation v = validate_batch(b);
      BOOST_TEST(v.ok(), v.message);
      auto decoded = decode_records(b);
      BOOST_REQUIRE_MESSAGE(decoded.has_value(), decoded.error());
      check_decoded(*decoded, records);
    }
  }
}

BOOST_AUTO_TEST_CASE(many_records_every_codec) {
  std::vector<Record> records = sample_records(5000);
  for (Compression c : kCodecs) {
    BOOST_TEST_CONTEXT("codec " << to_string(c)) {
      Bytes b = build(records, c);
      if (c != Compression::none) BOOST_TEST(b.size() < build(records).size());
      BOOST_TEST(validate_batch(b).ok());
      auto decoded = decode_records(b);
      BOOST_REQUIRE_MESSAGE(decoded.has_value(), decoded.error());
      check_decoded(*decoded, records);
    }
  }
}

BOOST_AUTO_TEST_CASE(estimated_size_is_uncompressed_size) {
  RecordBatchBuilder b(Compression::none);
  BOOST_TEST(b.empty());
  BOOST_TEST(b.estimated_size() == batch::kHeaderSize);
  b.append(byte_view("k"), byte_view("v"), {}, 1000);
  b.append(std::nullopt, std::nullopt, {{"h", std::nullopt}}, 1001);
  BOOST_TEST(b.record_count() == 2u);
  BOOST_TEST(b.estimated_size() == b.build().size());
}

BOOST_AUTO_TEST_CASE(build_empty_is_a_bug) {
  RecordBatchBuilder b;
  BOOST_CHECK_THROW(b.build(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(producer_fields_and_transactional_bit) {
  RecordBatchBuilder b(Compression::lz4);
  b.set_producer(4242, 7, 100);
  b.set_transactional(true);
  b.append(byte_view("k"), byte_view("v"), {}, 5);
  Bytes out = b.build();
  batch::Header h(out.data());
  BOOST_TEST(h.producer_id() == 4242);
  BOOST_TEST(h.producer_epoch() == 7);
  BOOST_TEST(h.base_sequence() == 100);
  BOOST_TEST(h.is_transactional());
  BOOST_TEST(validate_batch(out).ok());
}

BOOST_AUTO_TEST_CASE(log_append_time_uses_max_timestamp) {
  std::vector<Record> records = sample_records(5);
  Bytes b = build(records, Compression::gzip);
  batch::Header h(b.data());
  h.set_attributes(static_cast<int16_t>(h.attributes() | batch::kTimestampTypeBit));
  h.set_max_timestamp(1234567);
  h.update_crc();
  auto decoded = decode_records(b);
  BOOST_REQUIRE(decoded.has_value());
  for (const Record& r : *decoded) BOOST_TEST(r.timestamp == 1234567);
  // Stored by the broker that way, but a client may not send it.
  ValidationLimits from_log;
  from_log.from_client = false;
  BOOST_TEST(validate_batch(b, from_log).ok());
  check_fails(b, ErrorCode::INVALID_TIMESTAMP);
}

BOOST_AUTO_TEST_CASE(broker_assigned_base_offset_shifts_record_offsets) {
  std::vector<Record> records = sample_records(3);
  Bytes b = build(records);
  batch::Header h(b.data());
  h.set_base_offset(1000);
  h.set_partition_leader_epoch(3);
  BOOST_TEST(validate_batch(b).ok());  // both fields are outside the CRC
  auto decoded = decode_records(b);
  BOOST_REQUIRE(decoded.has_value());
  check_decoded(*decoded, records, 1000);
}

// ---- validation failures, one per rule ----

BOOST_AUTO_TEST_CASE(fails_bad_crc) {
  Bytes b = build(sample_records(3));
  b.back() ^= 0x01;
  check_fails(b, ErrorCode::CORRUPT_MESSAGE);
}

BOOST_AUTO_TEST_CASE(fails_truncated_batch) {
  Bytes b = build(sample_records(3));
  b.pop_back();
  check_fails(b, ErrorCode::CORRUPT_MESSAGE);
  check_fails(Bytes(b.begin(), b.begin() + 30), ErrorCode::CORRUPT_MESSAGE);
  check_fails(Bytes{}, ErrorCode::CORRUPT_MESSAGE);
}

BOOST_AUTO_TEST_CASE(fails_batch_length_below_header) {
  Bytes b = build(sample_records(1));
  store_be32(b.data() + batch::kBatchLength, 10);
  check_fails(b, ErrorCode::CORRUPT_MESSAGE);
}

BOOST_AUTO_TEST_CASE(fails_extra_bytes_after_batch) {
  Bytes b = build(sample_records(2));
  b.push_back(0);
  check_fails(b, ErrorCode::CORRUPT_MESSAGE);
}

BOOST_AUTO_TEST_CASE(fails_bad_magic) {
  Bytes b = build(sample_records(3));
  b[batch::kMagic] = 1;
  check_fails(b, ErrorCode::INVALID_RECORD);
}

BOOST_AUTO_TEST_CASE(fails_too_large) {
  Bytes b = build(sample_records(100));
  ValidationLimits limits;
  limits.max_message_bytes = static_cast<int64_t>(b.size()) - 1;
  check_fails(b, ErrorCode::MESSAGE_TOO_LARGE, -1, limits);
  limits.max_message_bytes = static_cast<int64_t>(b.size());
  BOOST_TEST(validate_batch(b, limits).ok());
}

BOOST_AUTO_TEST_CASE(fails_default_max_message_bytes) {
  std::vector<Record> big(1);
  big[0].value = Bytes(kDefaultMaxMessageBytes, 'x');
  check_fails(build(big), ErrorCode::MESSAGE_TOO_LARGE);
}

BOOST_AUTO_TEST_CASE(fails_bad_codec_7) {
  Bytes b = build(sample_records(3));
  batch::Header h(b.data());
  h.set_attributes(7);
  h.update_crc();
  check_fails(b, ErrorCode::INVALID_RECORD);
}

BOOST_AUTO_TEST_CASE(fails_control_batch_from_client) {
  Bytes b = raw_batch(records_area({0}), 1, 0, batch::kControlBit | batch::kTransactionalBit, 5, 0);
  check_fails(b, ErrorCode::INVALID_RECORD);
  ValidationLimits from_log;
  from_log.from_client = false;
  BOOST_TEST(validate_batch(b, from_log).ok());
}

BOOST_AUTO_TEST_CASE(fails_producer_id_without_sequence) {
  Bytes b = raw_batch(records_area({0}), 1, 0, 0, 77, -1);
  check_fails(b, ErrorCode::INVALID_RECORD);
  BOOST_TEST(validate_batch(raw_batch(records_area({0}), 1, 0, 0, 77, 0)).ok());
}

BOOST_AUTO_TEST_CASE(fails_wrong_last_offset_delta) {
  check_fails(raw_batch(records_area({0, 1, 2}), 3, 3), ErrorCode::INVALID_RECORD);
  check_fails(raw_batch(records_area({0, 1, 2}), 3, 1), ErrorCode::INVALID_RECORD);
}

BOOST_AUTO_TEST_CASE(fails_zero_records) { check_fails(raw_batch({}, 0, -1), ErrorCode::INVALID_RECORD); }

BOOST_AUTO_TEST_CASE(fails_offset_deltas_not_dense) {
  check_fails(raw_batch(records_area({0, 2, 1}), 3, 2), ErrorCode::INVALID_RECORD, 1);
  check_fails(raw_batch(records_area({1, 1, 2}), 3, 2), ErrorCode::INVALID_RECORD, 0);
  // A log (compacted) may have gaps, but offsets still increase and stay within lastOffsetDelta.
  ValidationLimits from_log;
  from_log.from_client = false;
  BOOST_TEST(validate_batch(raw_batch(records_area({0, 5, 9}), 3, 9), from_log).ok());
  check_fails(raw_batch(records_area({0, 5, 5}), 3, 9), ErrorCode::INVALID_RECORD, 2, from_log);
  check_fails(raw_batch(records_area({0, 5, 10}), 3, 9), ErrorCode::INVALID_RECORD, 2, from_log);
}

BOOST_AUTO_TEST_CASE(fails_trailing_garbage_in_records) {
  Bytes area = records_area({0, 1});
  area.push_back(0x00);
  check_fails(raw_batch(area, 2, 1), ErrorCode::INVALID_RECORD);
}

BOOST_AUTO_TEST_CASE(fails_trailing_garbage_in_compressed_records) {
  Bytes area = records_area({0, 1});
  area.push_back(0x42);
  auto packed = compress(Compression::zstd, area);
  BOOST_REQUIRE(packed.has_value());
  check_fails(raw_batch(*packed, 2, 1, static_cast<int16_t>(Compression::zstd)), ErrorCode::INVALID_RECORD);
}

BOOST_AUTO_TEST_CASE(fails_record_length_inconsistent) {
  // Record 1 declares one byte more than its fields use (and the area grows by that byte).
  Bytes area = records_area({0});
  Bytes one = records_area({1});
  one[0] = static_cast<uint8_t>(one[0] + 2);  // zig-zag length + 1
  one.push_back(0);
  area.insert(area.end(), one.begin(), one.end());
  check_fails(raw_batch(area, 2, 1), ErrorCode::INVALID_RECORD, 1);
}

BOOST_AUTO_TEST_CASE(fails_record_runs_past_batch) {
  Bytes area = records_area({0, 1});
  area.pop_back();
  check_fails(raw_batch(area, 2, 1), ErrorCode::INVALID_RECORD, 1);
}

BOOST_AUTO_TEST_CASE(fails_fewer_records_than_count) {
  check_fails(raw_batch(records_area({0, 1}), 3, 2), ErrorCode::INVALID_RECORD, 2);
}

BOOST_AUTO_TEST_CASE(fails_null_header_key) {
  Bytes area;
  // attributes, timestamp delta, offset delta, null key, null value, 1 header: null key, null value.
  Bytes body = {0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x01, 0x01};
  varint::append(area, static_cast<int32_t>(body.size()));
  area.insert(area.end(), body.begin(), body.end());
  check_fails(raw_batch(area, 1, 0), ErrorCode::INVALID_RECORD, 0);
}

BOOST_AUTO_TEST_CASE(fails_undecompressable_records) {
  Bytes junk(100, 0x5a);
  check_fails(raw_batch(junk, 1, 0, static_cast<int16_t>(Compression::gzip)), ErrorCode::INVALID_RECORD);
}

BOOST_AUTO_TEST_CASE(fails_decompression_bomb) {
  std::vector<Record> big(1);
  big[0].value = Bytes(8 << 20, 0);
  Bytes b = build(big, Compression::zstd);
  BOOST_TEST(b.size() < 4096u);
  ValidationLimits limits;
  limits.max_decompressed_bytes = 1 << 20;
  check_fails(b, ErrorCode::MESSAGE_TOO_LARGE, -1, limits);
  BOOST_TEST(!decode_records(b, 1 << 20).has_value());
}

BOOST_AUTO_TEST_CASE(fails_null_key_in_compacted_topic) {
  std::vector<Record> records = sample_records(3);  // record 1 has a null key
  ValidationLimits limits;
  limits.compacted = true;
  check_fails(build(records, Compression::snappy), ErrorCode::INVALID_RECORD, 1, limits);
}

BOOST_AUTO_TEST_CASE(fails_timestamp_outside_window) {
  std::vector<Record> records = sample_records(3, 1000000);  // timestamps 1000000, 1000003, 1000006
  ValidationLimits limits;
  limits.now_ms = 1000000;
  limits.timestamp_after_max_ms = 4;
  check_fails(build(records), ErrorCode::INVALID_TIMESTAMP, 2, limits);
  limits.timestamp_after_max_ms = 6;
  BOOST_TEST(validate_batch(build(records), limits).ok());
  limits.now_ms = 2000000;
  limits.timestamp_before_max_ms = 999999;
  check_fails(build(records), ErrorCode::INVALID_TIMESTAMP, 0, limits);
}

BOOST_AUTO_TEST_CASE(mutated_batches_never_crash_and_validation_agrees_with_decoding) {
  // Random damage past the CRC check (CRC recomputed): every outcome must be a clean error or a batch that
  // both validates and decodes. Meaningful mostly under ASan/UBSan.
  std::mt19937 rng(1234);
  std::vector<Record> records = sample_records(20);
  int rejected = 0;
  for (Compression c : kCodecs) {
    Bytes original = build(records, c);
    for (int round = 0; round < 400; ++round) {
      Bytes b = original;
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) {
        size_t at = batch::kHeaderSize + rng() % (b.size() - batch::kHeaderSize);
        b[at] = static_cast<uint8_t>(rng());
      }
      batch::Header(b.data()).update_crc();
      ValidationLimits limits;
      limits.max_decompressed_bytes = 1 << 20;
      BatchValidation v = validate_batch(b, limits);
      auto decoded = decode_records(b, 1 << 20);
      if (v.ok()) {
        BOOST_TEST(decoded.has_value());
      } else {
        ++rejected;
        BOOST_TEST(!v.message.empty());
      }
    }
  }
  BOOST_TEST(rejected > 0);
}

// ---- splitting and multi-batch decoding ----

BOOST_AUTO_TEST_CASE(split_batches_finds_each_batch) {
  Bytes a = build(sample_records(3)), b = build(sample_records(4), Compression::lz4);
  Bytes blob = a;
  blob.insert(blob.end(), b.begin(), b.end());
  auto split = split_batches(blob);
  BOOST_REQUIRE(split.has_value());
  BOOST_REQUIRE_EQUAL(split->size(), 2u);
  BOOST_TEST((*split)[0].data() == blob.data());
  BOOST_TEST((*split)[0].size() == a.size());
  BOOST_TEST((*split)[1].size() == b.size());
  BOOST_TEST(split_batches(std::span<uint8_t>()).value().empty());
}

BOOST_AUTO_TEST_CASE(split_batches_rejects_partial_tail) {
  Bytes blob = build(sample_records(3));
  Bytes second = build(sample_records(3));
  blob.insert(blob.end(), second.begin(), second.end() - 1);
  auto split = split_batches(blob);
  BOOST_REQUIRE(!split.has_value());
  BOOST_TEST((split.error().error == ErrorCode::CORRUPT_MESSAGE));
  Bytes tiny = {0, 0, 0};
  BOOST_TEST(!split_batches(tiny).has_value());
}

BOOST_AUTO_TEST_CASE(decode_batches_skips_truncated_tail_only_when_allowed) {
  std::vector<Record> r1 = sample_records(3), r2 = sample_records(6);
  Bytes a = build(r1, Compression::gzip), b = build(r2, Compression::zstd);
  batch::Header(b.data()).set_base_offset(3);
  Bytes blob = a;
  blob.insert(blob.end(), b.begin(), b.end());
  auto whole = decode_batches(blob, false);
  BOOST_REQUIRE_MESSAGE(whole.has_value(), whole.error());
  BOOST_REQUIRE_EQUAL(whole->size(), 2u);
  BOOST_TEST((*whole)[1].position == a.size());
  BOOST_TEST((*whole)[1].base_offset == 3);
  BOOST_TEST((*whole)[1].last_offset == 8);
  BOOST_TEST(((*whole)[1].compression == Compression::zstd));
  check_decoded((*whole)[0].records, r1);
  check_decoded((*whole)[1].records, r2, 3);

  for (size_t cut : {size_t{1}, b.size() - 20, b.size() - 1}) {
    Bytes partial(blob.begin(), blob.end() - static_cast<std::ptrdiff_t>(cut));
    auto tolerant = decode_batches(partial, true);
    BOOST_REQUIRE(tolerant.has_value());
    BOOST_TEST(tolerant->size() == 1u);
    BOOST_TEST(!decode_batches(partial, false).has_value());
  }
}

// visit_batches sees exactly what decode_batches decodes, as views that outlive the call (the
// decompressed records are handed over), and fails where decode_batches fails.
BOOST_AUTO_TEST_CASE(visit_batches_matches_decode_batches) {
  std::vector<Record> r1 = sample_records(5), r2 = sample_records(40), r3 = sample_records(7);
  Bytes a = build(r1), b = build(r2, Compression::lz4), c = build(r3, Compression::gzip);
  batch::Header(b.data()).set_base_offset(5);
  batch::Header(c.data()).set_base_offset(45);
  Bytes blob = a;
  blob.insert(blob.end(), b.begin(), b.end());
  blob.insert(blob.end(), c.begin(), c.end());
  blob.insert(blob.end(), a.begin(), a.begin() + 30);  // a partial batch, as Fetch cuts at max_bytes
  auto decoded = decode_batches(blob, true);
  BOOST_REQUIRE_MESSAGE(decoded.has_value(), decoded.error());

  std::vector<Bytes> decompressed;
  std::vector<BatchInfo> batches;
  std::vector<std::pair<int64_t, RecordView>> views;
  auto visited = visit_batches(
      blob, true, decompressed, [&](const BatchInfo& info) { batches.push_back(info); },
      [&](const BatchInfo& info, const RecordView& v) {
        BOOST_TEST(info.base_offset == batches.back().base_offset);  // the batch just announced
        views.emplace_back(info.base_offset + v.offset_delta, v);
      });
  BOOST_REQUIRE_MESSAGE(visited.has_value(), visited.error());
  BOOST_TEST(decompressed.size() == 2u);  // lz4 and gzip; the uncompressed batch is viewed in place
  BOOST_REQUIRE_EQUAL(batches.size(), decoded->size());
  size_t i = 0;
  for (size_t k = 0; k < batches.size(); ++k) {
    const BatchInfo& want = (*decoded)[k];
    BOOST_TEST(batches[k].position == want.position);
    BOOST_TEST(batches[k].size == want.size);
    BOOST_TEST(batches[k].last_offset == want.last_offset);
    BOOST_TEST(batches[k].records.empty());
    for (const Record& r : want.records) {
      BOOST_REQUIRE(i < views.size());
      const auto& [offset, v] = views[i++];
      BOOST_TEST(offset == r.offset);
      BOOST_TEST(want.base_timestamp + v.timestamp_delta == r.timestamp);
      BOOST_TEST(v.key.has_value() == r.key.has_value());
      if (r.key) BOOST_TEST(Bytes(v.key->begin(), v.key->end()) == *r.key);
      BOOST_TEST(v.value.has_value() == r.value.has_value());
      if (r.value) BOOST_TEST(Bytes(v.value->begin(), v.value->end()) == *r.value);
      BOOST_REQUIRE_EQUAL(v.headers.size(), r.headers.size());
      for (size_t h = 0; h < r.headers.size(); ++h) BOOST_TEST(v.headers[h].key == r.headers[h].key);
    }
  }
  BOOST_TEST(i == views.size());
  BOOST_TEST(views.size() == 52u);

  Bytes corrupt = blob;
  corrupt[a.size() + batch::kHeaderSize + 3] ^= 0x55;  // inside b: its CRC no longer matches
  std::vector<Bytes> unused;
  auto failed = visit_batches(
      corrupt, true, unused, [](const BatchInfo&) {}, [](const BatchInfo&, const RecordView&) {});
  BOOST_REQUIRE(!failed.has_value());
  BOOST_TEST(failed.error().find("CRC") != std::string::npos);
  BOOST_TEST(!visit_batches(
                  blob, false, unused, [](const BatchInfo&) {}, [](const BatchInfo&, const RecordView&) {})
                  .has_value());  // the partial tail is an error unless allowed
}

BOOST_AUTO_TEST_CASE(decode_batches_rejects_corruption_before_tail) {
  Bytes a = build(sample_records(3)), b = build(sample_records(3));
  a[batch::kHeaderSize + 2] ^= 0xff;
  Bytes blob = a;
  blob.insert(blob.end(), b.begin(), b.end());
  BOOST_TEST(!decode_batches(blob, true).has_value());
  BOOST_TEST(!decode_records(a).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- batches written by real clients (fixtures/regenerate.sh) ----

namespace {

Bytes read_hex_fixture(const std::string& name) {
  std::ifstream in(std::string(GREGOR_PROTOCOL_FIXTURES) + "/" + name);
  BOOST_REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  std::string hex;
  std::getline(in, hex);
  BOOST_REQUIRE(hex.size() % 2 == 0);
  Bytes out;
  for (size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// The content regenerate.sh feeds every client: 30 records, see the script.
void check_fixture_records(const std::vector<Record>& records) {
  BOOST_REQUIRE_EQUAL(records.size(), 30u);
  const std::vector<RecordHeader> headers = {{"h1", bytes("v1")}, {"hnull", std::nullopt}};
  for (int i = 0; i < 30; ++i) {
    BOOST_TEST_CONTEXT("record " << i) {
      const Record& r = records[static_cast<size_t>(i)];
      BOOST_TEST(r.offset == i);
      std::string abc;
      for (int k = 0; k < 5; ++k) abc += "abcdefghij";
      std::optional<Bytes> key, value;
      if (i % 5 != 1) key = bytes("key-" + std::to_string(i));
      if (i % 7 != 3) value = bytes("value-" + std::to_string(i) + "-" + abc);
      BOOST_TEST((r.key == key));
      BOOST_TEST((r.value == value));
      BOOST_TEST((r.headers == headers));
      BOOST_TEST(r.timestamp > 1600000000000);  // a real wall-clock CreateTime
    }
  }
}

void check_client_fixture(const std::string& name, Compression codec) {
  Bytes blob = read_hex_fixture(name);
  auto batches = split_batches(blob);
  BOOST_REQUIRE(batches.has_value());
  BOOST_REQUIRE_EQUAL(batches->size(), 1u);
  batch::Header h(blob.data());
  BOOST_TEST((h.compression() == codec));
  BOOST_TEST(h.records_count() == 30);
  BatchValidation v = validate_batch(blob);
  BOOST_TEST(v.ok(), v.message);
  auto records = decode_records(blob);
  BOOST_REQUIRE_MESSAGE(records.has_value(), records.error());
  check_fixture_records(*records);
  BOOST_TEST(h.max_timestamp() == std::max_element(records->begin(), records->end(), [](auto& a, auto& b) {
                                    return a.timestamp < b.timestamp;
                                  })->timestamp);
  // Damage inside the (compressed) records area is caught by the CRC.
  Bytes damaged = blob;
  damaged[damaged.size() - 3] ^= 0x10;
  BOOST_TEST((validate_batch(damaged).error == ErrorCode::CORRUPT_MESSAGE));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_fixtures)

BOOST_AUTO_TEST_CASE(librdkafka_uncompressed) {
  check_client_fixture("librdkafka_none.hex", Compression::none);
}
BOOST_AUTO_TEST_CASE(librdkafka_gzip) { check_client_fixture("librdkafka_gzip.hex", Compression::gzip); }
BOOST_AUTO_TEST_CASE(librdkafka_snappy_raw_block) {
  Bytes blob = read_hex_fixture("librdkafka_snappy.hex");
  // librdkafka writes a raw snappy block, not xerial framing.
  BOOST_TEST(blob[batch::kHeaderSize] != 0x82);
  check_client_fixture("librdkafka_snappy.hex", Compression::snappy);
}
BOOST_AUTO_TEST_CASE(librdkafka_lz4) { check_client_fixture("librdkafka_lz4.hex", Compression::lz4); }
BOOST_AUTO_TEST_CASE(librdkafka_zstd) { check_client_fixture("librdkafka_zstd.hex", Compression::zstd); }

BOOST_AUTO_TEST_CASE(java_uncompressed) { check_client_fixture("java_none.hex", Compression::none); }
BOOST_AUTO_TEST_CASE(java_gzip) { check_client_fixture("java_gzip.hex", Compression::gzip); }
BOOST_AUTO_TEST_CASE(java_snappy_xerial_framing) {
  Bytes blob = read_hex_fixture("java_snappy.hex");
  BOOST_TEST(blob[batch::kHeaderSize] == 0x82);  // snappy-java's stream magic
  check_client_fixture("java_snappy.hex", Compression::snappy);
}
BOOST_AUTO_TEST_CASE(java_lz4) { check_client_fixture("java_lz4.hex", Compression::lz4); }
BOOST_AUTO_TEST_CASE(java_zstd) { check_client_fixture("java_zstd.hex", Compression::zstd); }

BOOST_AUTO_TEST_CASE(builder_reproduces_java_bytes) {
  // Java's MemoryRecordsBuilder and ours agree on every byte of an uncompressed batch, including
  // baseTimestamp (first record) and maxTimestamp.
  Bytes blob = read_hex_fixture("java_none.hex");
  auto records = decode_records(blob);
  BOOST_REQUIRE(records.has_value());
  BOOST_TEST((build(*records) == blob));
}

BOOST_AUTO_TEST_CASE(builder_reproduces_librdkafka_bytes) {
  // Re-encoding librdkafka's records with our builder gives its batch byte for byte, apart from
  // partitionLeaderEpoch (librdkafka writes 0, Java and we write -1; outside the CRC).
  Bytes blob = read_hex_fixture("librdkafka_none.hex");
  auto records = decode_records(blob);
  BOOST_REQUIRE(records.has_value());
  Bytes ours = build(*records);
  batch::Header(ours.data()).set_partition_leader_epoch(batch::Header(blob.data()).partition_leader_epoch());
  BOOST_TEST((ours == blob));
}

BOOST_AUTO_TEST_SUITE_END()
