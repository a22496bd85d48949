// LeaderEpochCache: (leader epoch -> start offset) entries of one partition, persisted to
// <partition dir>/leader-epoch-checkpoint (spec/internals.md §5.7).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "protocol/result.h"

namespace gregor::log {

class BackgroundTasks;

class LeaderEpochCache {
 public:
  // In memory only (tests, or before the partition dir exists).
  LeaderEpochCache() = default;
  // Backed by `file`; every change rewrites it atomically. Call load() to read what is there.
  explicit LeaderEpochCache(std::filesystem::path file) : file_(std::move(file)) {}

  // From now on the file is rewritten on `background`'s thread, in order, instead of on the caller's.
  void write_in_background(BackgroundTasks* background) { background_ = background; }
  // Reads the checkpoint file (missing = empty). Error if it is corrupt; the cache is then empty.
  Result<void, std::string> load();

  // Adds (epoch, start_offset) when epoch is newer than the latest; entries starting at or after
  // start_offset are dropped first (those epochs wrote nothing). Older or equal epochs are ignored.
  void assign(int32_t epoch, int64_t start_offset);
  int32_t latest_epoch() const;  // -1 if none
  // Kafka's endOffsetFor: (largest epoch <= requested, start offset of the next higher epoch or the log end
  // offset); (-1, -1) if undefined.
  std::pair<int32_t, int64_t> end_offset_for(int32_t epoch, int64_t log_end_offset) const;
  // Log truncated to end_offset: entries starting at or after it go.
  void truncate_from_end(int64_t end_offset);
  // Log start moved to start_offset: entries before it go, except the one covering it, which now starts
  // there.
  void truncate_from_start(int64_t start_offset);
  void clear();
  std::vector<std::pair<int32_t, int64_t>> entries() const { return entries_; }

 private:
  void persist();

  std::filesystem::path file_;
  BackgroundTasks* background_ = nullptr;
  std::vector<std::pair<int32_t, int64_t>> entries_;  // ascending in both epoch and start offset
};

}  // namespace gregor::log
