// Cleaner policy: the pure decisions of log compaction — which records of a stored batch survive, and how
// the batch is written back (spec/internals.md §7.9, Kafka's LogCleaner.shouldRetainRecord /
// checkBatchRetention).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace gregor::log {

// What the cleaner knows about a stored batch.
struct CleanerBatchFacts {
  bool control = false;
  int64_t producer_id = -1;
  // The producer's newest batch in the log: it is kept (possibly emptied) so idempotence state survives.
  bool last_batch_of_producer = false;
  // Set when an earlier cleaning saw tombstones in this batch (attribute bit 6, baseTimestamp holds it).
  std::optional<int64_t> delete_horizon_ms;
};

// What the cleaner knows about one record of that batch.
struct CleanerRecordFacts {
  int64_t offset = 0;
  bool has_key = false;
  bool has_value = false;
  // Offset of the key's latest record in the cleaned range (from the offset map); -1 if unknown.
  int64_t latest_offset_for_key = -1;
};

enum class BatchAction {
  keep_original,  // every record stays and the header needs no change: copy the bytes
  rewrite,        // some records stay: a new batch with the same offsets, producer fields and epoch
  keep_empty,     // no record stays but the producer's last batch must: header only, zero records
  drop,           // nothing stays
};

struct BatchDecision {
  BatchAction action = BatchAction::drop;
  std::vector<bool> keep;                    // per record, in batch order
  std::optional<int64_t> delete_horizon_ms;  // for `rewrite`: the horizon to store in the new batch
};

// A record stays if it has no key (gregor keeps those; Kafka drops them as invalid), or it is the latest
// for its key and either has a value or is a tombstone whose batch's delete horizon has not passed (a batch
// without a horizon has not been cleaned yet, so its tombstones stay this time).
bool retain_record(const CleanerRecordFacts& record, std::optional<int64_t> delete_horizon_ms,
                   int64_t now_ms);

// The decision for a whole batch. A batch whose surviving records include tombstones and which has no
// horizon yet gets horizon now + delete.retention.ms. Control batches are kept as they are.
BatchDecision decide_batch(const CleanerBatchFacts& batch, std::span<const CleanerRecordFacts> records,
                           int64_t now_ms, int64_t delete_retention_ms);

}  // namespace gregor::log
