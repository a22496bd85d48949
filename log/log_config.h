// LogConfig: per-log settings, Kafka's topic-level config names in the comments (spec/internals.md §8).
#pragma once

#include <cstdint>
#include <limits>

namespace gregor::log {

struct LogConfig {
  int64_t segment_bytes = 1073741824;                            // segment.bytes
  int64_t segment_ms = 604800000;                                // segment.ms
  int64_t segment_jitter_ms = 0;                                 // segment.jitter.ms
  int64_t retention_ms = 604800000;                              // retention.ms (-1 = forever)
  int64_t retention_bytes = -1;                                  // retention.bytes
  int32_t index_interval_bytes = 4096;                           // index.interval.bytes
  int32_t segment_index_bytes = 10485760;                        // segment.index.bytes
  int32_t max_message_bytes = 1048588;                           // max.message.bytes
  bool cleanup_delete = true;                                    // cleanup.policy contains "delete"
  bool cleanup_compact = false;                                  // cleanup.policy contains "compact"
  int64_t delete_retention_ms = 86400000;                        // delete.retention.ms
  double min_cleanable_dirty_ratio = 0.5;                        // min.cleanable.dirty.ratio
  int64_t min_compaction_lag_ms = 0;                             // min.compaction.lag.ms
  int64_t flush_messages = std::numeric_limits<int64_t>::max();  // flush.messages
  int64_t flush_ms = std::numeric_limits<int64_t>::max();        // flush.ms
  int64_t file_delete_delay_ms = 60000;                          // file.delete.delay.ms
  bool preallocate = false;                                      // preallocate
};

}  // namespace gregor::log
