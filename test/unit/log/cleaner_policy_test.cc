// Cleaner policy: table tests of record retention and batch decisions.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "log/cleaner_policy.h"

#include <boost/test/unit_test.hpp>

using namespace gregor::log;

namespace {

constexpr int64_t kNow = 1'000'000;
constexpr int64_t kRetention = 1000;

CleanerRecordFacts value(int64_t offset, int64_t latest) { return {offset, true, true, latest}; }
CleanerRecordFacts tombstone(int64_t offset, int64_t latest) { return {offset, true, false, latest}; }
CleanerRecordFacts keyless(int64_t offset) { return {offset, false, true, -1}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(cleaner_policy)

BOOST_AUTO_TEST_CASE(retain_record_table) {
  struct Row {
    const char* name;
    CleanerRecordFacts record;
    std::optional<int64_t> horizon;
    bool kept;
  };
  const Row rows[] = {
      {"latest value", value(5, 5), std::nullopt, true},
      {"superseded value", value(5, 9), std::nullopt, false},
      {"superseded value, horizon", value(5, 9), kNow + 1, false},
      {"latest value, horizon passed", value(5, 5), kNow - 1, true},
      {"latest tombstone, not cleaned before", tombstone(5, 5), std::nullopt, true},
      {"latest tombstone, horizon ahead", tombstone(5, 5), kNow + 1, true},
      {"latest tombstone, horizon now", tombstone(5, 5), kNow, false},
      {"latest tombstone, horizon passed", tombstone(5, 5), kNow - 1, false},
      {"superseded tombstone", tombstone(5, 7), std::nullopt, false},
      {"key not in map", value(5, -1), std::nullopt, true},
      {"no key", keyless(5), std::nullopt, true},
      {"no key, horizon passed", keyless(5), kNow - 1, true},
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT(row.name) { BOOST_TEST(retain_record(row.record, row.horizon, kNow) == row.kept); }
  }
}

BOOST_AUTO_TEST_CASE(decide_batch_table) {
  struct Row {
    const char* name;
    CleanerBatchFacts batch;
    std::vector<CleanerRecordFacts> records;
    BatchAction action;
    std::vector<bool> keep;  // checked for rewrite
    std::optional<int64_t> horizon;
  };
  CleanerBatchFacts plain;
  CleanerBatchFacts producer_last{false, 7, true, std::nullopt};
  CleanerBatchFacts producer_older{false, 7, false, std::nullopt};
  CleanerBatchFacts control{true, 7, false, std::nullopt};
  CleanerBatchFacts with_horizon{false, -1, false, kNow + 10};
  CleanerBatchFacts horizon_passed{false, -1, false, kNow - 10};
  const Row rows[] = {
      {"all latest", plain, {value(0, 0), value(1, 1)}, BatchAction::keep_original, {}, std::nullopt},
      {"all superseded", plain, {value(0, 5), value(1, 6)}, BatchAction::drop, {}, std::nullopt},
      {"some superseded",
       plain,
       {value(0, 5), value(1, 1)},
       BatchAction::rewrite,
       {false, true},
       std::nullopt},
      {"tombstone first seen: horizon set",
       plain,
       {tombstone(0, 0)},
       BatchAction::rewrite,
       {true},
       kNow + kRetention},
      {"tombstone and superseded",
       plain,
       {value(0, 9), tombstone(1, 1)},
       BatchAction::rewrite,
       {false, true},
       kNow + kRetention},
      {"tombstone before horizon: unchanged",
       with_horizon,
       {tombstone(0, 0)},
       BatchAction::keep_original,
       {},
       std::nullopt},
      {"tombstone after horizon: dropped",
       horizon_passed,
       {tombstone(0, 0)},
       BatchAction::drop,
       {},
       std::nullopt},
      {"horizon kept on rewrite",
       with_horizon,
       {value(0, 3), tombstone(1, 1)},
       BatchAction::rewrite,
       {false, true},
       kNow + 10},
      {"producer's last batch emptied",
       producer_last,
       {value(0, 4)},
       BatchAction::keep_empty,
       {},
       std::nullopt},
      {"producer's older batch emptied", producer_older, {value(0, 4)}, BatchAction::drop, {}, std::nullopt},
      {"control batch", control, {value(0, 4)}, BatchAction::keep_original, {}, std::nullopt},
      {"keyless records",
       plain,
       {keyless(0), value(1, 8)},
       BatchAction::rewrite,
       {true, false},
       std::nullopt},
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      BatchDecision d = decide_batch(row.batch, row.records, kNow, kRetention);
      BOOST_TEST(static_cast<int>(d.action) == static_cast<int>(row.action));
      if (row.action == BatchAction::rewrite) {
        BOOST_TEST(d.keep == row.keep, boost::test_tools::per_element());
        BOOST_TEST(d.delete_horizon_ms.has_value() == row.horizon.has_value());
        if (row.horizon && d.delete_horizon_ms) BOOST_TEST(*d.delete_horizon_ms == *row.horizon);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(horizon_saturates) {
  CleanerBatchFacts plain;
  std::vector<CleanerRecordFacts> records{tombstone(0, 0)};
  BatchDecision d = decide_batch(plain, records, kNow, INT64_MAX);
  BOOST_REQUIRE(d.delete_horizon_ms.has_value());
  BOOST_TEST(*d.delete_horizon_ms == INT64_MAX);
}

BOOST_AUTO_TEST_SUITE_END()
