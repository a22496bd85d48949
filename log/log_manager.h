// LogManager: every partition log of this broker across its log dirs — locking, loading, checkpoints,
// retention, flushing, deletion and clean shutdown.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "log/background_tasks.h"
#include "log/checkpoint_file.h"
#include "log/log.h"
#include "log/log_cleaner.h"
#include "log/log_config.h"
#include "log/topic_partition.h"
#include "protocol/result.h"

namespace gregor::log {

class LogManager {
 public:
  // `post_to_loop` hands completions of background work (fsync, file deletion) back to the owner's thread.
  LogManager(std::vector<std::filesystem::path> log_dirs, LogConfig default_config,
             std::function<void(std::function<void()>)> post_to_loop);
  ~LogManager();  // stops the background thread

  // Locks each dir (.lock, flock), creates missing dirs, reads checkpoints, loads every <topic>-<partition>
  // dir (recovering after an unclean shutdown), removes *-delete dirs, deletes .kafka_cleanshutdown after
  // reading it. Error = start-up failure with a message naming the dir/file.
  Result<void, std::string> startup(std::function<LogConfig(const std::string& topic)> config_for_topic);
  // meta.properties per dir (version=0, broker.id, cluster.id): written when absent, else must match.
  Result<void, std::string> check_or_write_meta_properties(int32_t broker_id, const std::string& cluster_id);

  Log* get_log(const TopicPartition& tp) const;  // nullptr if absent
  // New partitions go to the dir with the fewest partitions.
  Result<Log*, LogError> get_or_create_log(const TopicPartition& tp, const LogConfig& config);
  // Writes partition.metadata (version: 0 / topic_id: ...), now if the log exists, else when it is created.
  void set_topic_id(const TopicPartition& tp, const std::string& topic_id_base64);
  // Renames the dir to <topic>-<partition>.<32 hex uuid>-delete and removes it in the background.
  void delete_log(const TopicPartition& tp);
  std::vector<TopicPartition> all_partitions() const;
  const std::vector<std::filesystem::path>& log_dirs() const { return dirs_; }

  // Periodic work, called from the owner's timers on its loop thread.
  void checkpoint_recovery_points();  // recovery-point-offset-checkpoint + log-start-offset-checkpoint
  void checkpoint_high_watermarks(const std::function<int64_t(const TopicPartition&)>& hw_of);
  int64_t high_watermark_checkpoint(const TopicPartition& tp) const;  // read at startup, -1 if none
  void run_retention(int64_t now_ms, const std::function<int64_t(const TopicPartition&)>& hw_of);
  void flush_dirty_logs(int64_t now_ms);  // honours flush.messages / flush.ms, fsync in the background
  // Log compaction pass, every log.cleaner.backoff.ms (spec/internals.md §7.9): each compacted log whose
  // dirty ratio exceeds min.cleanable.dirty.ratio (or whose tombstones' delete horizon has passed) is cleaned
  // on the background thread up to min(active segment, high watermark); the swap then runs on the loop and
  // cleaner-offset-checkpoint is rewritten. A log already being cleaned is skipped.
  void run_cleaner(int64_t now_ms, const std::function<int64_t(const TopicPartition&)>& hw_of);
  // First dirty offset from cleaner-offset-checkpoint (or the last cleaning), -1 if none.
  int64_t cleaner_checkpoint(const TopicPartition& tp) const;
  size_t cleanings_in_progress() const { return cleaning_.size(); }
  // Tests: called at each cleaner step (see CleanerHook).
  void set_cleaner_hook(CleanerHook hook) { cleaner_hook_ = std::move(hook); }

  // Clean shutdown: flush all logs, write all checkpoints, trim indexes, write .kafka_cleanshutdown.
  void shutdown(const std::function<int64_t(const TopicPartition&)>& hw_of);

  // Waits for queued background work (tests; include_delayed also runs pending delayed deletions).
  void wait_for_background(bool include_delayed) { background_->wait_idle(include_delayed); }

 private:
  struct Entry {
    std::unique_ptr<Log> log;
    size_t dir_index;
  };
  struct DirLock {
    int fd = -1;
    ~DirLock();
  };
  Result<void, std::string> load_dir(size_t dir_index,
                                     const std::function<LogConfig(const std::string&)>& config_for_topic);
  void write_partition_metadata(const TopicPartition& tp);
  void write_checkpoint_or_log(const std::filesystem::path& path, const OffsetCheckpoint& offsets);
  void write_cleaner_checkpoint(size_t dir_index);
  void start_cleaning(const TopicPartition& tp, Entry& entry, CleanJob job);

  std::vector<std::filesystem::path> dirs_;
  LogConfig default_config_;
  std::function<void(std::function<void()>)> post_to_loop_;
  std::vector<std::unique_ptr<DirLock>> locks_;
  std::map<TopicPartition, Entry> logs_;
  std::map<TopicPartition, int64_t> hw_checkpoint_;
  std::map<TopicPartition, std::string> topic_ids_;
  std::map<TopicPartition, int64_t> cleaner_checkpoint_;  // first dirty offset
  std::map<TopicPartition, int64_t> cleaner_horizon_;     // earliest tombstone delete horizon
  std::set<TopicPartition> cleaning_;
  CleanerHook cleaner_hook_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::unique_ptr<BackgroundTasks> background_;  // last: joined before the logs go
};

// A random 128-bit id as 32 lowercase hex digits (names of *-delete dirs).
std::string random_hex_uuid();

}  // namespace gregor::log
