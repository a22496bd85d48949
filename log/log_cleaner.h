// LogCleaner: log compaction (cleanup.policy=compact, spec/internals.md §7.9) — keeps the latest record per
// key, expires tombstones after delete.retention.ms, keeps each producer's last batch. Reading and writing
// the cleaned segments happens on any thread (clean); only the swap touches the Log (install, loop thread).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "log/log.h"
#include "log/log_config.h"
#include "log/segment.h"
#include "log/topic_partition.h"
#include "protocol/result.h"

namespace gregor::log {

// Everything a cleaning needs, captured on the loop thread; the segment files stay open through the views.
struct CleanJob {
  TopicPartition tp;
  std::filesystem::path dir;
  LogConfig config;
  std::vector<SegmentView> segments;  // from the first segment up to the first uncleanable offset
  int64_t first_dirty_offset = 0;     // from cleaner-offset-checkpoint: below it keys are already unique
  std::unordered_map<int64_t, int64_t> producer_last_offsets;  // producer id -> last offset of its last batch
  int64_t now_ms = 0;
  int64_t end_offset() const { return segments.back().end_offset; }
};

struct CleanerStats {
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_read = 0;
  int64_t records_kept = 0;
  int64_t batches_rewritten = 0;
};

// One output segment replacing consecutive old ones.
struct CleanedGroup {
  std::vector<SegmentView> old;
  std::unique_ptr<Segment> segment;  // files "<base>.log.cleaned" etc. until installed
};

struct CleanOutput {
  std::vector<CleanedGroup> groups;
  int64_t end_offset = 0;  // first offset not cleaned: the new first dirty offset
  CleanerStats stats;
  // Earliest delete horizon of a batch that still holds tombstones: the log needs cleaning again then.
  std::optional<int64_t> earliest_delete_horizon_ms;
};

class LogCleaner {
 public:
  // Loop thread. The segments to clean: whole inactive segments from the first one, ending before the first
  // uncleanable offset = min(active segment base, high watermark, first segment newer than
  // min.compaction.lag.ms). nullopt if there are none.
  static std::optional<CleanJob> prepare(const Log& log, int64_t high_watermark, int64_t first_dirty_offset,
                                         int64_t now_ms);
  // Bytes from the first dirty offset on / all bytes of the job's segments.
  static double dirty_ratio(const CleanJob& job);

  // Any thread: builds the key -> latest offset map over the job's range, then writes one .cleaned segment
  // per group of segments (combined size <= segment.bytes), fsynced. Calls hook(cleaned_written, group).
  static Result<CleanOutput, std::string> clean(const CleanJob& job, const CleanerHook& hook = {});
  // Loop thread: swaps the groups into the log in order (Log::replace_segments). On error the groups not yet
  // installed are discarded; the ones installed stay (each swap is complete on its own).
  static Result<void, std::string> install(Log& log, CleanOutput& output, const CleanerHook& hook = {});
  // Removes the .cleaned files of an output that will not be installed.
  static void discard(CleanOutput& output);

  // prepare + clean + install on the calling thread. nullopt when there was nothing to clean.
  static Result<std::optional<CleanOutput>, std::string> clean_now(Log& log, int64_t high_watermark,
                                                                   int64_t first_dirty_offset, int64_t now_ms,
                                                                   const CleanerHook& hook = {});
};

}  // namespace gregor::log
