// TimeIndex: sparse max-timestamp -> relative-offset map of one segment (.timeindex, 12-byte entries).
#pragma once

#include <cstdint>
#include <memory>

#include "log/index_file.h"

namespace gregor::log {

struct TimestampOffset {
  int64_t timestamp;
  int64_t offset;
};

class TimeIndex {
 public:
  static Result<TimeIndex, std::string> open(const std::filesystem::path& path, int64_t base_offset,
                                             int32_t max_bytes, bool active);

  // Largest entry with timestamp strictly below ts: every record up to its offset is older than ts, so
  // a scan for ts may start there. (-1, base offset) if none.
  TimestampOffset lookup_below(int64_t ts) const;
  // Appends only when ts is larger than the last entry's. `final_entry` may use the reserved last slot.
  void maybe_append(int64_t ts, int64_t offset, bool final_entry = false);
  void truncate_to(int64_t offset);
  void reset() { file_->truncate_entries(0); }
  // One slot stays free for the entry written when the segment is rolled.
  bool full() const { return file_->entries() >= file_->max_entries() - 1; }
  int32_t entries() const { return file_->entries(); }
  TimestampOffset entry(int32_t i) const;
  // (-1, base offset) when empty.
  TimestampOffset last_entry() const;
  bool sane() const;
  IndexFile& file() { return *file_; }
  const IndexFile& file() const { return *file_; }

 private:
  TimeIndex(std::unique_ptr<IndexFile> file, int64_t base_offset)
      : file_(std::move(file)), base_offset_(base_offset) {}

  std::unique_ptr<IndexFile> file_;
  int64_t base_offset_;
};

}  // namespace gregor::log
