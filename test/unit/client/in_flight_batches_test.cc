// Producer pipelining rules: per-partition in-flight limits, leader changes, retries alone and in sequence
// order.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "client/in_flight_batches.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "client/record_accumulator.h"

using namespace gregor;
using namespace gregor::client;
using namespace std::chrono_literals;

namespace {

const TopicPartition kTp{"t", 0};
const TopicPartition kOther{"t", 1};

// Fills `n` batches of one record each for kTp (batch.size 1 closes every batch).
void fill(RecordAccumulator& acc, int n, Clock::time_point now) {
  for (int i = 0; i < n; ++i) {
    std::string v = "v" + std::to_string(i);
    acc.append(kTp, std::nullopt, byte_view(v), {}, 1000 + i, {}, now);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(in_flight_batches)

BOOST_AUTO_TEST_CASE(up_to_the_limit_per_partition_to_one_leader) {
  InFlightBatches f(5);
  for (int i = 0; i < 5; ++i) {
    BOOST_TEST(f.can_send(kTp, 1, false));
    f.sent(kTp, 1);
  }
  BOOST_TEST(!f.can_send(kTp, 1, false));
  BOOST_TEST(f.can_send(kOther, 1, false));  // the limit is per partition
  BOOST_TEST(f.in_flight(kTp) == 5u);
  BOOST_TEST(f.max_seen() == 5u);
  f.answered(kTp);
  BOOST_TEST(f.can_send(kTp, 1, false));
}

BOOST_AUTO_TEST_CASE(without_idempotence_one_batch_per_partition) {
  InFlightBatches f(1);
  f.sent(kTp, 1);
  BOOST_TEST(!f.can_send(kTp, 1, false));
  f.answered(kTp);
  BOOST_TEST(f.can_send(kTp, 1, false));
  BOOST_TEST(f.max_seen() == 1u);
}

BOOST_AUTO_TEST_CASE(a_new_leader_waits_until_the_old_one_answered) {
  InFlightBatches f(5);
  f.sent(kTp, 1);
  f.sent(kTp, 1);
  BOOST_TEST(!f.can_send(kTp, 2, false));
  f.answered(kTp);
  BOOST_TEST(!f.can_send(kTp, 2, false));
  f.answered(kTp);
  BOOST_TEST(f.can_send(kTp, 2, false));
}

BOOST_AUTO_TEST_CASE(a_retry_goes_alone) {
  InFlightBatches f(5);
  f.sent(kTp, 1);
  BOOST_TEST(!f.can_send(kTp, 1, true));
  f.answered(kTp);
  BOOST_TEST(f.can_send(kTp, 1, true));
  f.sent(kTp, 1);
  BOOST_TEST(!f.can_send(kTp, 1, true));  // the next retry waits for this one
  BOOST_TEST(f.can_send(kTp, 1, false));  // fresh batches may pipeline behind it
}

BOOST_AUTO_TEST_CASE(an_answer_without_a_request_is_a_bug) {
  InFlightBatches f(5);
  BOOST_CHECK_THROW(f.answered(kTp), std::logic_error);
}

BOOST_AUTO_TEST_CASE(failed_batches_return_in_sequence_order_ahead_of_new_ones) {
  RecordAccumulator acc(1, 0ms, batch::Compression::none);
  auto now = Clock::now();
  fill(acc, 5, now);
  // Drain three, numbered 0, 1, 2 as the sender does.
  std::vector<std::unique_ptr<ProducerBatch>> sent;
  for (int32_t seq = 0; seq < 3; ++seq) {
    auto b = acc.pop(kTp);
    b->base_sequence = seq;
    b->attempts = 1;
    b->bytes = b->builder.build();
    sent.push_back(std::move(b));
  }
  BOOST_TEST(acc.batch_count() == 2u);
  // Errors come back in any order: 1 (out of order), then 2, then 0.
  acc.reenqueue(std::move(sent[1]));
  acc.reenqueue(std::move(sent[2]));
  acc.reenqueue(std::move(sent[0]));
  std::vector<int32_t> order;
  while (!acc.empty()) order.push_back(acc.pop(kTp)->base_sequence);
  BOOST_TEST(order == (std::vector<int32_t>{0, 1, 2, -1, -1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_new_record_never_joins_a_returned_batch) {
  RecordAccumulator acc(16384, 0ms, batch::Compression::none);
  auto now = Clock::now();
  fill(acc, 1, now);
  auto b = acc.pop(kTp);
  b->base_sequence = 0;
  b->attempts = 1;
  b->bytes = b->builder.build();
  acc.reenqueue(std::move(b));
  fill(acc, 1, now);
  BOOST_TEST(acc.batch_count() == 2u);
  BOOST_TEST(acc.pop(kTp)->base_sequence == 0);
  BOOST_TEST(acc.pop(kTp)->record_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
