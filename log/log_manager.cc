// LogManager: dir locking and loading, checkpoints, retention and flush scheduling, clean shutdown.
#include "log/log_manager.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <random>
#include <sstream>

#include "log/file.h"
#include "log/format.h"
#include "log/logger.h"

namespace gregor::log {
namespace {

std::map<std::string, std::string> parse_properties(const std::string& text) {
  std::map<std::string, std::string> props;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    props[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return props;
}

}  // namespace

std::string random_hex_uuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

LogManager::DirLock::~DirLock() {
  if (fd >= 0) ::close(fd);  // closing releases the flock
}

LogManager::LogManager(std::vector<std::filesystem::path> log_dirs, LogConfig default_config,
                       std::function<void(std::function<void()>)> post_to_loop)
    : dirs_(std::move(log_dirs)),
      default_config_(default_config),
      post_to_loop_(std::move(post_to_loop)),
      background_(std::make_unique<BackgroundTasks>(post_to_loop_)) {}

LogManager::~LogManager() {
  background_.reset();  // no background task may outlive the logs it touches
}

Result<void, std::string> LogManager::startup(
    std::function<LogConfig(const std::string& topic)> config_for_topic) {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    const auto& dir = dirs_[i];
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return unexpected(fmt::format("cannot create log dir {}: {}", dir.string(), ec.message()));
    auto lock_path = dir / format::kLockFile;
    auto lock = std::make_unique<DirLock>();
    lock->fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock->fd < 0) return unexpected(io_error_message("open", lock_path, errno));
    if (::flock(lock->fd, LOCK_EX | LOCK_NB) != 0) {
      return unexpected(fmt::format("log dir {} is locked by another process ({})", dir.string(),
                                    io_error_message("flock", lock_path, errno)));
    }
    locks_.push_back(std::move(lock));
    if (auto r = load_dir(i, config_for_topic); !r) return r;
  }
  return {};
}

Result<void, std::string> LogManager::load_dir(
    size_t dir_index, const std::function<LogConfig(const std::string&)>& config_for_topic) {
  const auto& dir = dirs_[dir_index];
  std::error_code ec;
  auto clean_file = dir / format::kCleanShutdownFile;
  bool clean = std::filesystem::exists(clean_file, ec);
  auto recovery = read_offset_checkpoint(dir / format::kRecoveryPointCheckpoint);
  if (!recovery) {
    // Kafka treats a corrupt recovery checkpoint as "recover everything".
    logger().warn("{}; recovering every log in {}", recovery.error(), dir.string());
    recovery = OffsetCheckpoint{};
    clean = false;
  }
  auto starts = read_offset_checkpoint(dir / format::kLogStartOffsetCheckpoint);
  if (!starts) return unexpected(starts.error());
  auto hws = read_offset_checkpoint(dir / format::kReplicationCheckpoint);
  if (!hws) return unexpected(hws.error());
  auto cleaned = read_offset_checkpoint(dir / format::kCleanerOffsetCheckpoint);
  if (!cleaned) {
    // Only costs a full recleaning.
    logger().warn("{}; the cleaner starts over in {}", cleaned.error(), dir.string());
    cleaned = OffsetCheckpoint{};
  }

  for (const auto& de : std::filesystem::directory_iterator(dir, ec)) {
    if (!de.is_directory()) continue;
    std::string name = de.path().filename().string();
    if (name.ends_with(format::kDeleteDirSuffix)) {
      std::filesystem::remove_all(de.path(), ec);
      if (ec) logger().error("cannot remove {}: {}", de.path().string(), ec.message());
      continue;
    }
    if (name.ends_with(format::kFutureDirSuffix)) continue;
    auto tp = TopicPartition::from_dir_name(name);
    if (!tp) continue;
    if (logs_.count(*tp)) {
      return unexpected(
          fmt::format("partition {} found in two log dirs (second: {})", tp->to_string(), dir.string()));
    }
    auto rp = recovery->find(*tp);
    auto ls = starts->find(*tp);
    LogConfig config = config_for_topic ? config_for_topic(tp->topic) : default_config_;
    auto log = Log::open(de.path(), *tp, config, rp == recovery->end() ? 0 : rp->second, clean,
                         ls == starts->end() ? 0 : ls->second);
    if (!log) return unexpected(fmt::format("cannot load {}: {}", de.path().string(), log.error().message));
    (*log)->set_background(background_.get());
    logs_[*tp] = Entry{std::move(*log), dir_index};
    if (auto hw = hws->find(*tp); hw != hws->end()) hw_checkpoint_[*tp] = hw->second;
    if (auto c = cleaned->find(*tp); c != cleaned->end()) cleaner_checkpoint_[*tp] = c->second;
  }
  if (ec) return unexpected(fmt::format("cannot list log dir {}: {}", dir.string(), ec.message()));
  if (clean) {
    std::filesystem::remove(clean_file, ec);
    if (ec) return unexpected(fmt::format("cannot delete {}: {}", clean_file.string(), ec.message()));
  }
  logger().info("loaded {} log(s) from {} ({} shutdown)", logs_.size(), dir.string(),
                clean ? "clean" : "unclean");
  return {};
}

Result<void, std::string> LogManager::check_or_write_meta_properties(int32_t broker_id,
                                                                     const std::string& cluster_id) {
  for (const auto& dir : dirs_) {
    auto path = dir / format::kMetaProperties;
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
      auto text = read_text_file(path);
      if (!text) return unexpected(text.error());
      auto props = parse_properties(*text);
      if (props["version"] != "0")
        return unexpected(fmt::format("{}: unsupported version '{}'", path.string(), props["version"]));
      if (props["broker.id"] != std::to_string(broker_id)) {
        return unexpected(fmt::format("{}: broker.id {} does not match configured broker.id {}",
                                      path.string(), props["broker.id"], broker_id));
      }
      if (props.count("cluster.id") && props["cluster.id"] != cluster_id) {
        return unexpected(fmt::format("{}: cluster.id {} does not match the cluster's id {}", path.string(),
                                      props["cluster.id"], cluster_id));
      }
      continue;
    }
    std::time_t now = std::time(nullptr);
    char stamp[64];
    std::strftime(stamp, sizeof stamp, "%a %b %d %H:%M:%S UTC %Y", std::gmtime(&now));
    std::string text =
        fmt::format("#\n#{}\nversion=0\nbroker.id={}\ncluster.id={}\n", stamp, broker_id, cluster_id);
    if (auto w = write_file_atomically(path, text); !w) return unexpected(w.error());
  }
  return {};
}

Log* LogManager::get_log(const TopicPartition& tp) const {
  auto it = logs_.find(tp);
  return it == logs_.end() ? nullptr : it->second.log.get();
}

Result<Log*, LogError> LogManager::get_or_create_log(const TopicPartition& tp, const LogConfig& config) {
  if (Log* log = get_log(tp)) return log;
  if (dirs_.empty()) return unexpected(LogError{LogErrorKind::storage_error, "no log dirs"});
  std::vector<size_t> counts(dirs_.size(), 0);
  for (const auto& [key, entry] : logs_) ++counts[entry.dir_index];
  size_t dir_index = static_cast<size_t>(std::min_element(counts.begin(), counts.end()) - counts.begin());
  auto log = Log::open(dirs_[dir_index] / tp.to_string(), tp, config, 0, true, 0);
  if (!log) return unexpected(log.error());
  (*log)->set_background(background_.get());
  Log* raw = log->get();
  logs_[tp] = Entry{std::move(*log), dir_index};
  if (topic_ids_.count(tp)) write_partition_metadata(tp);
  return raw;
}

void LogManager::set_topic_id(const TopicPartition& tp, const std::string& topic_id_base64) {
  auto& known = topic_ids_[tp];
  if (known == topic_id_base64 && get_log(tp) != nullptr) return;
  known = topic_id_base64;
  if (get_log(tp) != nullptr) write_partition_metadata(tp);
}

// On the helper thread (Kafka schedules it too: "flush-metadata-file"): creating many partitions at once, as
// __consumer_offsets does, would otherwise cost two fsyncs each on the loop thread.
void LogManager::write_partition_metadata(const TopicPartition& tp) {
  Log* log = get_log(tp);
  auto path = log->dir() / format::kPartitionMetadata;
  background_->submit([path, tp, text = fmt::format("version: 0\ntopic_id: {}\n", topic_ids_[tp])] {
    std::error_code ec;
    if (!std::filesystem::exists(path.parent_path(), ec)) {
      logger().debug("[{}] deleted before its partition.metadata was written", tp.to_string());
      return;
    }
    if (auto w = write_file_atomically(path, text); !w) {
      logger().error("[{}] cannot write {}: {}", tp.to_string(), path.string(), w.error());
    }
  });
}

void LogManager::delete_log(const TopicPartition& tp) {
  auto it = logs_.find(tp);
  if (it == logs_.end()) return;
  auto dir = it->second.log->dir();
  logs_.erase(it);  // closes every file; fetch regions still in flight keep their own fds
  topic_ids_.erase(tp);
  hw_checkpoint_.erase(tp);
  cleaner_checkpoint_.erase(tp);
  cleaner_horizon_.erase(tp);
  cleaning_.erase(tp);  // a cleaning in flight finds the log gone and discards its output
  auto target =
      dir.parent_path() / fmt::format("{}.{}{}", tp.to_string(), random_hex_uuid(), format::kDeleteDirSuffix);
  std::error_code ec;
  std::filesystem::rename(dir, target, ec);
  if (ec) {
    logger().error("[{}] cannot rename {} for deletion: {}", tp.to_string(), dir.string(), ec.message());
    return;
  }
  background_->submit([target] {
    std::error_code rm;
    std::filesystem::remove_all(target, rm);
    if (rm) logger().error("cannot remove {}: {}", target.string(), rm.message());
  });
}

std::vector<TopicPartition> LogManager::all_partitions() const {
  std::vector<TopicPartition> tps;
  for (const auto& [tp, entry] : logs_) tps.push_back(tp);
  return tps;
}

// The periodic checkpoints (every few seconds) are written on the helper thread, in order: their fsyncs must
// not hold up the loop, which also serves requests and answers ZooKeeper's pings.
void LogManager::write_checkpoint_or_log(const std::filesystem::path& path, const OffsetCheckpoint& offsets) {
  background_->submit([path, offsets] {
    if (auto w = write_offset_checkpoint(path, offsets); !w)
      logger().error("checkpoint {}: {}", path.string(), w.error());
  });
}

void LogManager::checkpoint_recovery_points() {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    OffsetCheckpoint recovery, starts;
    for (const auto& [tp, entry] : logs_) {
      if (entry.dir_index != i || entry.log->offline()) continue;
      recovery[tp] = entry.log->recovery_point();
      // Only logs whose start moved past their first segment need the entry (Kafka does the same).
      auto bases = entry.log->segment_base_offsets();
      if (!bases.empty() && entry.log->log_start_offset() > bases.front())
        starts[tp] = entry.log->log_start_offset();
    }
    write_checkpoint_or_log(dirs_[i] / format::kRecoveryPointCheckpoint, recovery);
    write_checkpoint_or_log(dirs_[i] / format::kLogStartOffsetCheckpoint, starts);
  }
}

void LogManager::checkpoint_high_watermarks(const std::function<int64_t(const TopicPartition&)>& hw_of) {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    OffsetCheckpoint hws;
    for (const auto& [tp, entry] : logs_) {
      if (entry.dir_index != i) continue;
      int64_t hw = hw_of(tp);
      if (hw >= 0) hws[tp] = hw;
    }
    write_checkpoint_or_log(dirs_[i] / format::kReplicationCheckpoint, hws);
  }
}

int64_t LogManager::high_watermark_checkpoint(const TopicPartition& tp) const {
  auto it = hw_checkpoint_.find(tp);
  return it == hw_checkpoint_.end() ? -1 : it->second;
}

void LogManager::run_retention(int64_t now_ms, const std::function<int64_t(const TopicPartition&)>& hw_of) {
  for (auto& [tp, entry] : logs_) {
    // Compacted-only logs still honour the log start offset (DeleteRecords); the Log applies the policy.
    entry.log->delete_old_segments(now_ms, hw_of(tp));
  }
}

void LogManager::flush_dirty_logs(int64_t now_ms) {
  for (auto& [tp, entry] : logs_) {
    Log& log = *entry.log;
    if (log.offline() || log.unflushed_messages() == 0) continue;
    const LogConfig& c = log.config();
    bool due = log.unflushed_messages() >= c.flush_messages || now_ms - log.last_flush_ms() >= c.flush_ms;
    if (!due) continue;
    Log::FlushJob job = log.prepare_flush();
    std::weak_ptr<int> alive = alive_;
    TopicPartition key = tp;
    Log* raw = &log;
    background_->submit(
        [files = std::move(job.files), key] {
          for (const auto& f : files) {
            if (auto r = f->fsync(); !r) logger().error("[{}] flush: {}", key.to_string(), r.error());
          }
        },
        [this, alive, key, raw, end = job.end_offset, now_ms] {
          // The log may have been deleted (or replaced) since the flush was queued.
          if (!alive.lock() || get_log(key) != raw) return;
          raw->on_flushed(end, now_ms);
        });
  }
}

int64_t LogManager::cleaner_checkpoint(const TopicPartition& tp) const {
  auto it = cleaner_checkpoint_.find(tp);
  return it == cleaner_checkpoint_.end() ? -1 : it->second;
}

void LogManager::write_cleaner_checkpoint(size_t dir_index) {
  OffsetCheckpoint offsets;
  for (const auto& [tp, offset] : cleaner_checkpoint_) {
    auto it = logs_.find(tp);
    if (it != logs_.end() && it->second.dir_index == dir_index) offsets[tp] = offset;
  }
  write_checkpoint_or_log(dirs_[dir_index] / format::kCleanerOffsetCheckpoint, offsets);
}

void LogManager::run_cleaner(int64_t now_ms, const std::function<int64_t(const TopicPartition&)>& hw_of) {
  for (auto& [tp, entry] : logs_) {
    Log& log = *entry.log;
    if (!log.config().cleanup_compact || log.offline() || cleaning_.count(tp)) continue;
    auto job = LogCleaner::prepare(log, hw_of(tp), cleaner_checkpoint(tp), now_ms);
    if (!job) continue;
    auto horizon = cleaner_horizon_.find(tp);
    bool horizon_passed = horizon != cleaner_horizon_.end() && horizon->second <= now_ms;
    if (LogCleaner::dirty_ratio(*job) <= log.config().min_cleanable_dirty_ratio && !horizon_passed) continue;
    start_cleaning(tp, entry, std::move(*job));
  }
}

void LogManager::start_cleaning(const TopicPartition& tp, Entry& entry, CleanJob job) {
  cleaning_.insert(tp);
  auto result = std::make_shared<Result<CleanOutput, std::string>>(unexpected(std::string("not run")));
  auto shared_job = std::make_shared<CleanJob>(std::move(job));
  std::weak_ptr<int> alive = alive_;
  Log* raw = entry.log.get();
  size_t dir_index = entry.dir_index;
  CleanerHook hook = cleaner_hook_;
  background_->submit([result, shared_job, hook] { *result = LogCleaner::clean(*shared_job, hook); },
                      [this, alive, tp, raw, dir_index, result, hook] {
                        // The log may have been deleted (or replaced) while it was cleaned.
                        if (!alive.lock() || get_log(tp) != raw) {
                          if (result->has_value()) LogCleaner::discard(**result);
                          return;
                        }
                        cleaning_.erase(tp);
                        if (!result->has_value()) {
                          logger().error("[{}] log cleaning failed: {}", tp.to_string(), result->error());
                          return;
                        }
                        CleanOutput& out = **result;
                        if (auto r = LogCleaner::install(*raw, out, hook); !r) {
                          logger().warn("[{}] cleaned segments not installed: {}", tp.to_string(), r.error());
                          return;
                        }
                        cleaner_checkpoint_[tp] = out.end_offset;
                        if (out.earliest_delete_horizon_ms) {
                          cleaner_horizon_[tp] = *out.earliest_delete_horizon_ms;
                        } else {
                          cleaner_horizon_.erase(tp);
                        }
                        write_cleaner_checkpoint(dir_index);
                      });
}

void LogManager::shutdown(const std::function<int64_t(const TopicPartition&)>& hw_of) {
  background_->wait_idle(false);
  for (auto& [tp, entry] : logs_) {
    if (entry.log->offline()) continue;
    if (auto r = entry.log->close(); !r) logger().error("[{}] close: {}", tp.to_string(), r.error().message);
  }
  checkpoint_recovery_points();
  checkpoint_high_watermarks(hw_of);
  background_->wait_idle(false);  // the checkpoints above are on disk before the clean-shutdown marker
  std::vector<bool> dir_clean(dirs_.size(), true);
  for (const auto& [tp, entry] : logs_) {
    if (entry.log->offline()) dir_clean[entry.dir_index] = false;  // its next start must recover
  }
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (!dir_clean[i]) continue;
    const auto& dir = dirs_[i];
    if (auto w = write_file_atomically(dir / format::kCleanShutdownFile, ""); !w) {
      logger().error("cannot write clean-shutdown marker in {}: {}", dir.string(), w.error());
    }
  }
  logs_.clear();
  locks_.clear();
}

}  // namespace gregor::log
