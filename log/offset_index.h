// OffsetIndex: sparse relative-offset -> file-position map of one segment (.index, 8-byte entries).
#pragma once

#include <cstdint>
#include <memory>

#include "log/index_file.h"

namespace gregor::log {

struct OffsetPosition {
  int64_t offset;
  int32_t position;
};

class OffsetIndex {
 public:
  static Result<OffsetIndex, std::string> open(const std::filesystem::path& path, int64_t base_offset,
                                               int32_t max_bytes, bool active);

  // Largest entry with offset <= target, or (base offset, 0) if none: where a scan for target starts.
  OffsetPosition lookup(int64_t target) const;
  // Entries must grow strictly in both offset and position; a full index silently stays sparse.
  void append(int64_t offset, int32_t position);
  // Drops entries with offset >= offset.
  void truncate_to(int64_t offset);
  void reset() { file_->truncate_entries(0); }
  bool full() const { return file_->entries() >= file_->max_entries(); }
  int32_t entries() const { return file_->entries(); }
  OffsetPosition entry(int32_t i) const;
  // Length a multiple of 8, offsets and positions strictly increasing, all within the log file.
  bool sane(int64_t log_size) const;
  IndexFile& file() { return *file_; }
  const IndexFile& file() const { return *file_; }

 private:
  OffsetIndex(std::unique_ptr<IndexFile> file, int64_t base_offset)
      : file_(std::move(file)), base_offset_(base_offset) {}

  std::unique_ptr<IndexFile> file_;
  int64_t base_offset_;
};

}  // namespace gregor::log
