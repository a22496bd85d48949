// Log: one partition's replica on disk — segments, offsets, reads, recovery, retention, producer state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "log/background_tasks.h"
#include "log/batch_info.h"
#include "log/leader_epoch_cache.h"
#include "log/log_config.h"
#include "log/log_error.h"
#include "log/producer_state.h"
#include "log/segment.h"
#include "log/topic_partition.h"
#include "protocol/file_region.h"
#include "protocol/result.h"

namespace gregor::log {

using gregor::FileRegion;

struct AppendInfo {
  int64_t first_offset = -1;  // offset of the first record written (or of the duplicate batch's first record)
  int64_t last_offset = -1;
  int64_t max_timestamp = -1;
  int64_t log_append_time = -1;  // the stamp used, when append_time was given, else -1
  int64_t position = -1;         // byte position in the active segment where the batch(es) start
  int64_t bytes = 0;
  bool duplicate = false;  // idempotent retry of one of the producer's last 5 batches: nothing written
};

struct FetchDataInfo {
  std::vector<FileRegion> regions;  // file ranges to send with sendfile; never a copy of the data
  int64_t bytes = 0;                // sum of region lengths
  int64_t first_batch_offset = -1;  // base offset of the first batch returned
};

struct TimestampAndOffset {
  int64_t timestamp;
  int64_t offset;
  int32_t leader_epoch;
};

// An inactive segment as the cleaner sees it: its .log file stays readable through `file` even if the log
// drops the segment meanwhile.
struct SegmentView {
  int64_t base_offset;
  int64_t end_offset;  // base offset of the next segment
  int64_t size;
  int64_t max_timestamp;
  std::shared_ptr<File> file;
};

// Steps of a cleaner swap, in order (spec/internals.md §7.9); `group` numbers the groups of one cleaning.
enum class CleanerStep {
  cleaned_written,
  renamed_to_swap,
  swapped_in_memory,
  old_renamed_deleted,
  swap_done
};
// Test hook called after each step (crash tests exit there).
using CleanerHook = std::function<void(CleanerStep step, size_t group)>;

class Log {
 public:
  // Loads (and after an unclean shutdown recovers, spec/internals.md §7.7) the partition in `dir`, creating
  // the directory if needed.
  static Result<std::unique_ptr<Log>, LogError> open(const std::filesystem::path& dir, TopicPartition tp,
                                                     LogConfig config, int64_t recovery_point,
                                                     bool had_clean_shutdown,
                                                     int64_t log_start_offset_checkpoint);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Leader path: re-checks structure, checks idempotent-producer state, assigns offsets (dense from the log
  // end offset) and leader epoch in place, stamps LogAppendTime if asked, then appends.
  Result<AppendInfo, LogError> append_as_leader(std::span<uint8_t> batches, int32_t leader_epoch,
                                                std::optional<int64_t> append_time);
  // Follower path: offsets assigned by the leader; the first batch may not start below the log end offset
  // (it may start above it when the leader's log was compacted).
  Result<AppendInfo, LogError> append_as_follower(std::span<const uint8_t> batches);
  // Whole batches from the one containing `offset`, at most max_bytes (the first one whole if min_one_batch),
  // none whose base offset >= max_offset. May span segments.
  Result<FetchDataInfo, LogError> read(int64_t offset, int32_t max_bytes, int64_t max_offset,
                                       bool min_one_batch) const;
  // First offset whose timestamp >= ts; nullopt if none below max_offset.
  std::optional<TimestampAndOffset> offset_for_timestamp(int64_t ts, int64_t max_offset) const;

  int64_t log_start_offset() const { return log_start_offset_; }
  int64_t log_end_offset() const { return log_end_offset_; }
  int64_t size_in_bytes() const;
  size_t segment_count() const { return segments_.size(); }
  int64_t recovery_point() const { return recovery_point_; }
  // Base offsets of the segments, oldest first.
  std::vector<int64_t> segment_base_offsets() const;

  // Follower truncation: drops everything >= offset.
  void truncate_to(int64_t offset);
  // Drops every segment and starts empty at `offset`.
  void truncate_fully_and_start_at(int64_t offset);
  // DeleteRecords: moves the log start offset forward (up to the log end offset); retention then deletes
  // the segments below it.
  void maybe_increment_log_start_offset(int64_t offset);

  LeaderEpochCache& leader_epoch_cache() { return epoch_cache_; }
  const ProducerStateManager& producer_state() const { return producers_; }
  const LogConfig& config() const { return config_; }
  void update_config(LogConfig config) { config_ = config; }

  // fsyncs every segment from the recovery point on, here and now, and advances the recovery point.
  Result<void, LogError> flush();
  // Background flush: what to fsync (files stay open through the shared_ptrs) and the offset it covers.
  struct FlushJob {
    std::vector<std::shared_ptr<File>> files;
    int64_t end_offset;
  };
  FlushJob prepare_flush();
  void on_flushed(int64_t end_offset, int64_t now_ms);
  int64_t unflushed_messages() const { return unflushed_messages_; }
  int64_t last_flush_ms() const { return last_flush_ms_; }

  // Retention (spec/internals.md §7.8): deletes the oldest segments that are past retention.ms, beyond
  // retention.bytes or below the log start offset, and wholly below the high watermark; never the active one.
  int delete_old_segments(int64_t now_ms, int64_t high_watermark);

  // Log compaction (log/log_cleaner.h). Every segment but the active one, oldest first.
  std::vector<SegmentView> inactive_segments() const;
  std::unordered_map<int64_t, int64_t> producer_last_batch_offsets() const {
    return producers_.last_batch_offsets();
  }
  // Replaces `old` (consecutive segments, which must still be in the log with the same files) with
  // `cleaned` (files "<base>.log.cleaned" etc., base = old.front().base_offset): .cleaned -> .swap, swap
  // in memory, old files -> .deleted, drop .swap. A crash at any step is finished or undone by open().
  // Error without any change when the segments moved on (truncation, retention); the caller then removes
  // the cleaned files.
  Result<void, std::string> replace_segments(std::unique_ptr<Segment> cleaned,
                                             const std::vector<SegmentView>& old, const CleanerHook& hook,
                                             size_t group);

  // Clean close: producer snapshot at the log end, final time-index entries, trimmed indexes, fsync.
  Result<void, LogError> close();

  // With background tasks, rolled segments are fsynced and deleted files removed on that thread;
  // without, both happen inline.
  void set_background(BackgroundTasks* background) {
    background_ = background;
    epoch_cache_.write_in_background(background);
  }

  bool offline() const { return offline_; }
  const TopicPartition& topic_partition() const { return tp_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  Log(std::filesystem::path dir, TopicPartition tp, LogConfig config);

  Result<void, LogError> load(int64_t recovery_point, bool had_clean_shutdown, int64_t log_start_checkpoint);
  Result<void, std::string> finish_interrupted_cleaning();
  Result<void, std::string> recover_from(int64_t recovery_point, bool had_clean_shutdown);
  void rebuild_producer_state();
  void rebuild_epoch_cache();
  Segment& active() const { return *segments_.rbegin()->second; }
  // Segment that may hold `offset`: the last one with base <= offset.
  std::map<int64_t, std::unique_ptr<Segment>>::const_iterator floor_segment(int64_t offset) const;
  Result<void, LogError> check_online() const;
  LogError go_offline(const std::string& what);
  Result<void, LogError> maybe_roll(int64_t bytes, int64_t max_timestamp, int64_t first_offset,
                                    int64_t last_offset);
  Result<void, std::string> roll(int64_t new_base);
  void delete_segment_files(Segment& segment);
  void remove_segments_from(int64_t base);
  Result<AppendInfo, LogError> write(std::span<const uint8_t> bytes, const std::vector<BatchInfo>& batches);

  std::filesystem::path dir_;
  TopicPartition tp_;
  LogConfig config_;
  std::map<int64_t, std::unique_ptr<Segment>> segments_;  // by base offset
  int64_t log_start_offset_ = 0;
  int64_t log_end_offset_ = 0;
  int64_t recovery_point_ = 0;
  LeaderEpochCache epoch_cache_;
  ProducerStateManager producers_;
  bool offline_ = false;
  int64_t unflushed_messages_ = 0;
  int64_t last_flush_ms_ = 0;
  BackgroundTasks* background_ = nullptr;
  // Completions of background work hold a weak_ptr to this: they do nothing once the log is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// Parses and structurally checks a buffer of RecordBatch v2 (sizes, magic 2, CRC-32C, offset deltas).
// max_batch_bytes < 0 = no size limit.
Result<std::vector<BatchInfo>, LogError> parse_batches(std::span<const uint8_t> bytes,
                                                       int64_t max_batch_bytes);

}  // namespace gregor::log
