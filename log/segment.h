// Segment: one <base offset>.log file of RecordBatch v2 bytes with its offset and time indexes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "log/batch_info.h"
#include "log/file.h"
#include "log/log_config.h"
#include "log/offset_index.h"
#include "log/time_index.h"
#include "protocol/file_region.h"
#include "protocol/result.h"

namespace gregor::log {

// A batch found in a segment file and where it starts.
struct BatchPosition {
  int32_t position;
  BatchInfo batch;
};

struct TimestampHit {
  int64_t timestamp;
  int64_t offset;
  BatchInfo batch;
};

// What recovery of one segment found.
struct SegmentRecovery {
  int64_t valid_bytes = 0;      // bytes kept
  int64_t truncated_bytes = 0;  // bytes cut off after the last valid batch
  std::string reason;           // why the first invalid batch was rejected (empty if none)
};

class Segment {
 public:
  // A new, empty, active segment (any leftover files at that base are replaced). `file_suffix` is added
  // to the three file names (the cleaner writes "<base>.log.cleaned" etc.).
  static Result<std::unique_ptr<Segment>, std::string> create(const std::filesystem::path& dir,
                                                              int64_t base_offset, const LogConfig& config,
                                                              int64_t now_ms,
                                                              std::string_view file_suffix = {});
  // An existing segment. `active` segments get writable, preallocated indexes.
  static Result<std::unique_ptr<Segment>, std::string> open(const std::filesystem::path& dir,
                                                            int64_t base_offset, const LogConfig& config,
                                                            bool active, int64_t now_ms);

  int64_t base_offset() const { return base_offset_; }
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Offset after the last batch (base offset when empty).
  int64_t next_offset() const { return next_offset_; }
  // Largest batch max timestamp, -1 if none.
  int64_t max_timestamp() const { return max_timestamp_; }
  int64_t last_modified_ms() const;
  bool indexes_sane() const;

  // Roll rules of spec/internals.md §7.3 for an incoming batch set.
  bool should_roll(const LogConfig& config, int64_t incoming_bytes, int64_t max_timestamp,
                   int64_t last_offset, int64_t now_ms) const;

  // One write() of batches whose offsets are final; indexes get an entry every index_interval_bytes.
  // On failure the file is cut back to its previous size (if the OS lets us) and the error returned.
  Result<void, std::string> append(std::span<const uint8_t> bytes, const std::vector<BatchInfo>& batches,
                                   int32_t index_interval_bytes);

  // The first batch whose last offset >= offset (index lookup, then a scan of batch headers).
  Result<std::optional<BatchPosition>, std::string> translate_offset(int64_t offset) const;
  // Header of the batch at `position`, nullopt at or beyond the end of the segment.
  Result<std::optional<BatchInfo>, std::string> batch_at(int64_t position) const;
  // Calls fn for each batch header from `position` on until fn returns false.
  Result<void, std::string> for_each_batch(int64_t position,
                                           const std::function<bool(const BatchPosition&)>& fn) const;

  // Validates every batch (sizes, magic, CRC-32C, offsets increasing), rebuilds both indexes, and truncates
  // the file at the first invalid batch. `on_batch` sees each valid batch.
  Result<SegmentRecovery, std::string> recover(int32_t index_interval_bytes,
                                               const std::function<void(const BatchInfo&)>& on_batch);
  // Removes batches from the one containing `offset` on; returns the bytes removed.
  Result<int64_t, std::string> truncate_to(int64_t offset);

  // Final time-index entry and trimmed index files (segment rolled or closing).
  Result<void, std::string> on_become_inactive();
  // Preallocated indexes again (segment active after a truncation).
  Result<void, std::string> on_become_active(const LogConfig& config);

  Result<void, std::string> flush() const;
  // Files to fsync from another thread; the shared_ptrs keep the fds open.
  std::vector<std::shared_ptr<File>> files() const;
  const std::shared_ptr<File>& log_file() const { return log_file_; }
  // Region of the .log file, owned by the file so it outlives the segment.
  FileRegion region(int64_t position, int64_t length) const;

  // Appends `suffix` (e.g. ".deleted") to the three file names; returns the new paths.
  Result<std::vector<std::filesystem::path>, std::string> rename_with_suffix(std::string_view suffix);
  std::vector<std::filesystem::path> paths() const;
  // Renames the three files from "<name><from>" to "<name><to>" (cleaner: ".cleaned" -> ".swap" -> "").
  Result<void, std::string> change_suffix(std::string_view from, std::string_view to);

  // First batch whose max timestamp >= ts, and within it the first record at or after ts (uncompressed
  // batches; a compressed or LogAppendTime batch answers with its base offset and max timestamp).
  Result<std::optional<TimestampHit>, std::string> find_offset_by_timestamp(int64_t ts) const;

 private:
  Segment(std::filesystem::path dir, int64_t base_offset, std::shared_ptr<File> log_file,
          OffsetIndex offset_index, TimeIndex time_index, int64_t created_ms, int64_t jitter_ms);
  Result<void, std::string> load_tail();
  void track_batch(const BatchInfo& b, int64_t position, int32_t index_interval_bytes);

  std::filesystem::path dir_;
  int64_t base_offset_;
  std::shared_ptr<File> log_file_;
  OffsetIndex offset_index_;
  TimeIndex time_index_;
  int64_t created_ms_;
  int64_t jitter_ms_;
  int64_t size_ = 0;
  int64_t next_offset_;
  int64_t max_timestamp_ = -1;
  int64_t offset_of_max_timestamp_ = -1;
  int64_t rolling_based_timestamp_ = -1;  // max timestamp of the first batch, -1 if none
  int64_t bytes_since_last_index_entry_ = 0;
  bool index_missing_ = false;  // an index file was absent although the log has data
};

}  // namespace gregor::log
