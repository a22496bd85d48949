// Cleaner policy: record retention and batch rewrite decisions.
#include "log/cleaner_policy.h"

#include <algorithm>
#include <limits>

namespace gregor::log {

bool retain_record(const CleanerRecordFacts& record, std::optional<int64_t> delete_horizon_ms,
                   int64_t now_ms) {
  if (!record.has_key) return true;
  if (record.offset < record.latest_offset_for_key) return false;
  if (record.has_value) return true;
  return !delete_horizon_ms || now_ms < *delete_horizon_ms;
}

BatchDecision decide_batch(const CleanerBatchFacts& batch, std::span<const CleanerRecordFacts> records,
                           int64_t now_ms, int64_t delete_retention_ms) {
  BatchDecision d;
  if (batch.control) {
    d.action = BatchAction::keep_original;
    d.keep.assign(records.size(), true);
    return d;
  }
  size_t kept = 0;
  bool tombstone_kept = false;
  d.keep.reserve(records.size());
  for (const CleanerRecordFacts& r : records) {
    bool keep = retain_record(r, batch.delete_horizon_ms, now_ms);
    d.keep.push_back(keep);
    kept += keep ? 1 : 0;
    tombstone_kept = tombstone_kept || (keep && r.has_key && !r.has_value);
  }
  bool needs_horizon = tombstone_kept && !batch.delete_horizon_ms;
  if (kept == 0) {
    d.action =
        batch.producer_id >= 0 && batch.last_batch_of_producer ? BatchAction::keep_empty : BatchAction::drop;
    return d;
  }
  if (kept == records.size() && !needs_horizon) {
    d.action = BatchAction::keep_original;
    return d;
  }
  d.action = BatchAction::rewrite;
  if (needs_horizon) {
    int64_t room = std::numeric_limits<int64_t>::max() - now_ms;
    d.delete_horizon_ms = now_ms + std::min(std::max<int64_t>(delete_retention_ms, 0), room);
  } else {
    d.delete_horizon_ms = batch.delete_horizon_ms;
  }
  return d;
}

}  // namespace gregor::log
