// ProducerStateManager: per idempotent producer, its epoch and its last 5 batches (sequence and offset
// ranges), so that retries are answered with the original offsets; persisted as <offset>.snapshot files.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "log/batch_info.h"
#include "log/log_error.h"
#include "protocol/result.h"

namespace gregor::log {

struct ProducerBatch {
  int32_t first_seq;
  int32_t last_seq;
  int64_t first_offset;
  int64_t last_offset;
  int64_t timestamp;
  friend bool operator==(const ProducerBatch&, const ProducerBatch&) = default;
};

struct ProducerEntry {
  int16_t epoch = -1;
  std::deque<ProducerBatch> batches;  // oldest first, at most kBatchesToRetain
};

class ProducerStateManager {
 public:
  static constexpr size_t kBatchesToRetain = 5;  // Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN

  explicit ProducerStateManager(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Sequence/epoch check of `batch` against `entry` (nullptr = producer unknown: any sequence is fine).
  // Returns the cached batch when `batch` is a retry of one of the last 5, nullopt when it is new and valid.
  static Result<std::optional<ProducerBatch>, LogError> check(const ProducerEntry* entry,
                                                              const BatchInfo& batch);
  // Records `batch` (its offsets final) in `entry`: a new epoch starts a fresh history.
  static void apply(ProducerEntry& entry, const BatchInfo& batch);

  const ProducerEntry* find(int64_t producer_id) const;
  void put(int64_t producer_id, ProducerEntry entry) { producers_[producer_id] = std::move(entry); }
  // Rebuild path (recovery, follower): apply without checks. Ignores non-idempotent batches.
  void update(const BatchInfo& batch);
  void clear() { producers_.clear(); }
  size_t size() const { return producers_.size(); }
  // Producer id -> last offset of its newest batch (the batch the cleaner must not drop).
  std::unordered_map<int64_t, int64_t> last_batch_offsets() const;

  // Writes <offset>.snapshot (every producer's retained batches) atomically.
  Result<void, std::string> take_snapshot(int64_t offset) const;
  // Replaces the state with the newest readable snapshot at or below max_offset and returns its offset;
  // nullopt (state empty) if there is none. Unreadable snapshots are deleted with a warning.
  std::optional<int64_t> load_latest_snapshot(int64_t max_offset);
  std::vector<int64_t> snapshot_offsets() const;
  void delete_snapshots_after(int64_t offset) const;   // offset > `offset`
  void delete_snapshots_before(int64_t offset) const;  // offset < `offset`

 private:
  Result<void, std::string> read_snapshot(const std::filesystem::path& path);

  std::filesystem::path dir_;
  std::unordered_map<int64_t, ProducerEntry> producers_;
};

}  // namespace gregor::log
