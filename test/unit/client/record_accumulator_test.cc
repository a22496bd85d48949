// RecordAccumulator: batch.size and linger.ms decide readiness; built batches decode back to the records.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "client/record_accumulator.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "protocol/record_batch.h"

using namespace gregor;
using namespace gregor::client;
using namespace std::chrono_literals;

namespace {

std::optional<std::span<const uint8_t>> text(const std::string& s) { return byte_view(s); }

const TopicPartition kTp{"t", 0};

}  // namespace

BOOST_AUTO_TEST_SUITE(record_accumulator)

BOOST_AUTO_TEST_CASE(linger_decides_when_a_small_batch_is_ready) {
  RecordAccumulator acc(16384, 5ms, batch::Compression::none);
  auto t0 = Clock::now();
  std::string v = "hello";
  acc.append(kTp, std::nullopt, text(v), {}, 1000, {}, t0);
  BOOST_TEST(acc.ready(t0).empty());
  BOOST_TEST(acc.ready(t0 + 4ms).empty());
  BOOST_TEST(acc.ready(t0 + 5ms).size() == 1u);
  BOOST_CHECK(acc.next_ready_time() == t0 + 5ms);
  acc.set_flushing(true);
  BOOST_TEST(acc.ready(t0).size() == 1u);
}

BOOST_AUTO_TEST_CASE(batch_size_closes_batches) {
  RecordAccumulator acc(1024, 1000ms, batch::Compression::none);
  auto t0 = Clock::now();
  std::string value(100, 'x');
  int new_batches = 0;
  bool full = false;
  for (int i = 0; i < 30; ++i) {
    auto r = acc.append(kTp, std::nullopt, text(value), {}, 1000 + i, {}, t0);
    new_batches += r.new_batch;
    full = full || r.batch_full;
  }
  BOOST_TEST(full);
  BOOST_TEST(acc.batch_count() == static_cast<size_t>(new_batches + 1));
  BOOST_TEST(acc.batch_count() >= 3u);
  // Full batches are ready at once, long before linger.
  BOOST_TEST(acc.ready(t0).size() == 1u);
  size_t records = 0;
  while (auto b = acc.pop(kTp)) {
    BOOST_TEST(b->builder.estimated_size() <= 1024u);
    records += b->record_count();
  }
  BOOST_TEST(records == 30u);
  BOOST_TEST(acc.empty());
}

// newly_full marks the one append per batch that filled it (it wakes the sender), not every
// append while a full batch waits; appends to another partition in between do not disturb it.
BOOST_AUTO_TEST_CASE(newly_full_once_per_filled_batch) {
  RecordAccumulator acc(1024, 1000ms, batch::Compression::none);
  auto t0 = Clock::now();
  const TopicPartition other{"other", 3};
  std::string value(100, 'x');
  int newly_full = 0, full = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = acc.append(kTp, std::nullopt, text(value), {}, 1000 + i, {}, t0);
    newly_full += r.newly_full;
    full += r.batch_full;
    BOOST_TEST((!r.newly_full || r.batch_full));
    acc.append(other, std::nullopt, text(value), {}, 1000 + i, {}, t0);
  }
  size_t batches = 0;
  while (auto b = acc.pop(kTp)) ++batches;
  BOOST_TEST(batches >= 10u);
  BOOST_TEST(newly_full == static_cast<int>(batches) - 1);  // the last batch is not full yet
  BOOST_TEST(full > newly_full * 5);
  size_t other_records = 0;
  while (auto b = acc.pop(other)) other_records += b->record_count();
  BOOST_TEST(other_records == 100u);
  BOOST_TEST(acc.empty());
}

BOOST_AUTO_TEST_CASE(an_oversized_record_gets_a_batch_of_its_own) {
  RecordAccumulator acc(100, 1000ms, batch::Compression::none);
  auto t0 = Clock::now();
  std::string big(500, 'b'), small = "s";
  acc.append(kTp, std::nullopt, text(small), {}, 1, {}, t0);
  acc.append(kTp, std::nullopt, text(big), {}, 2, {}, t0);
  acc.append(kTp, std::nullopt, text(small), {}, 3, {}, t0);
  BOOST_TEST(acc.batch_count() == 3u);
  BOOST_TEST(acc.pop(kTp)->record_count() == 1u);
  BOOST_TEST(acc.pop(kTp)->record_count() == 1u);
}

BOOST_AUTO_TEST_CASE(built_batch_round_trips_with_compression_and_idempotence_fields) {
  for (auto codec : {batch::Compression::none, batch::Compression::gzip, batch::Compression::snappy,
                     batch::Compression::lz4, batch::Compression::zstd}) {
    BOOST_TEST_CONTEXT("codec " << to_string(codec)) {
      RecordAccumulator acc(16384, 0ms, codec);
      auto t0 = Clock::now();
      std::vector<std::string> keys = {"k0", "k1", "k2"};
      std::vector<RecordHeader> headers = {{"h", std::vector<uint8_t>{'v'}}};
      for (int i = 0; i < 3; ++i) {
        std::string value = "value-" + std::to_string(i);
        acc.append(kTp, text(keys[i]), text(value), headers, 5000 + i, {}, t0);
      }
      auto b = acc.pop(kTp);
      b->builder.set_producer(42, 3, 7);
      auto bytes = b->builder.build();
      BOOST_TEST(validate_batch(bytes).ok());
      auto decoded = decode_batches(bytes, false);
      BOOST_REQUIRE(decoded.has_value());
      BOOST_REQUIRE(decoded->size() == 1u);
      const BatchInfo& info = decoded->front();
      BOOST_TEST(info.producer_id == 42);
      BOOST_TEST(info.producer_epoch == 3);
      BOOST_TEST(info.base_sequence == 7);
      BOOST_TEST(static_cast<int>(info.compression) == static_cast<int>(codec));
      BOOST_REQUIRE(info.records.size() == 3u);
      for (int i = 0; i < 3; ++i) {
        const Record& r = info.records[i];
        BOOST_TEST(r.offset == i);
        BOOST_TEST(r.timestamp == 5000 + i);
        BOOST_TEST(std::string(r.key->begin(), r.key->end()) == keys[i]);
        BOOST_TEST(std::string(r.value->begin(), r.value->end()) == "value-" + std::to_string(i));
        BOOST_CHECK(r.headers == headers);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(completion_reports_offsets_and_errors_in_order) {
  RecordAccumulator acc(16384, 0ms, batch::Compression::none);
  auto t0 = Clock::now();
  std::vector<int64_t> offsets;
  std::vector<bool> failed;
  auto cb = [&](const RecordMetadata& md, const std::optional<ClientError>& e) {
    offsets.push_back(md.offset);
    failed.push_back(e.has_value());
  };
  std::string v = "v";
  for (int i = 0; i < 3; ++i) acc.append(kTp, std::nullopt, text(v), {}, 1, cb, t0);
  acc.pop(kTp)->complete(100, std::nullopt);
  BOOST_TEST(offsets == (std::vector<int64_t>{100, 101, 102}));
  acc.append(kTp, std::nullopt, text(v), {}, 1, cb, t0);
  BOOST_TEST(acc.abort_all(make_error(ErrorCode::REQUEST_TIMED_OUT)) == 1u);
  BOOST_TEST(offsets.back() == -1);
  BOOST_TEST(failed.back());
}

BOOST_AUTO_TEST_CASE(a_retried_batch_keeps_its_place_and_waits_for_backoff) {
  RecordAccumulator acc(16384, 0ms, batch::Compression::none);
  auto t0 = Clock::now();
  std::string a = "a", b = "b";
  acc.append(kTp, std::nullopt, text(a), {}, 1, {}, t0);
  auto first = acc.pop(kTp);
  first->bytes = first->builder.build();
  acc.append(kTp, std::nullopt, text(b), {}, 2, {}, t0);
  first->attempts = 1;
  first->retry_after = t0 + 100ms;
  acc.reenqueue(std::move(first));
  BOOST_TEST(acc.ready(t0 + 50ms).empty());  // the head is backing off; nothing overtakes it
  BOOST_TEST(acc.ready(t0 + 100ms).size() == 1u);
  auto again = acc.pop(kTp);
  BOOST_TEST(again->attempts == 1);
  BOOST_TEST(acc.pop(kTp)->record_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
