// Log: appends with offset assignment, reads as file regions, load/recovery, truncation, retention.
#include "log/log.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <unordered_map>

#include "log/format.h"
#include "log/logger.h"
#include "protocol/record_batch_header.h"

namespace gregor::log {
namespace {

int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

LogError storage(std::string message) { return LogError{LogErrorKind::storage_error, std::move(message)}; }

bool has_suffix(const std::string& name, std::string_view suffix) { return name.ends_with(suffix); }

void remove_files(const std::vector<std::filesystem::path>& paths) {
  for (const auto& p : paths) {
    std::error_code ec;
    std::filesystem::remove(p, ec);
    if (ec) logger().error("cannot delete {}: {}", p.string(), ec.message());
  }
}

// Offset after the last whole batch of a segment file (`base` if it has none); stops at the first torn batch.
Result<int64_t, std::string> next_offset_of_file(const std::filesystem::path& path, int64_t base) {
  auto file = File::open(path, O_RDONLY);
  if (!file) return unexpected(file.error());
  auto size = (*file)->size();
  if (!size) return unexpected(size.error());
  int64_t next = base, pos = 0;
  uint8_t header[batch::kHeaderSize];
  while (pos + static_cast<int64_t>(batch::kHeaderSize) <= *size) {
    if (auto r = (*file)->pread_exact(header, pos); !r) return unexpected(r.error());
    batch::Header h(header);
    if (h.total_size() < static_cast<int64_t>(batch::kHeaderSize) || pos + h.total_size() > *size) break;
    next = h.last_offset() + 1;
    pos += h.total_size();
  }
  return next;
}

}  // namespace

Result<std::vector<BatchInfo>, LogError> parse_batches(std::span<const uint8_t> bytes,
                                                       int64_t max_batch_bytes) {
  std::vector<BatchInfo> batches;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t remaining = bytes.size() - pos;
    if (remaining < batch::kHeaderSize) {
      return unexpected(LogError{LogErrorKind::corrupt_message,
                                 fmt::format("{} trailing bytes are not a batch header", remaining)});
    }
    batch::Header h(const_cast<uint8_t*>(bytes.data() + pos));
    int64_t size = h.total_size();
    if (size < static_cast<int64_t>(batch::kHeaderSize) || size > static_cast<int64_t>(remaining)) {
      return unexpected(
          LogError{LogErrorKind::corrupt_message,
                   fmt::format("batch length {} does not fit {} bytes", h.batch_length(), remaining)});
    }
    if (h.magic() != batch::kMagicV2) {
      return unexpected(LogError{LogErrorKind::invalid_record, fmt::format("magic {} is not 2", h.magic())});
    }
    if (max_batch_bytes >= 0 && size > max_batch_bytes) {
      return unexpected(
          LogError{LogErrorKind::message_too_large,
                   fmt::format("batch of {} bytes exceeds max.message.bytes {}", size, max_batch_bytes)});
    }
    if (h.last_offset_delta() < 0 || h.records_count() < 0) {
      return unexpected(LogError{LogErrorKind::invalid_record, "negative last offset delta or record count"});
    }
    if (!h.crc_valid()) {
      return unexpected(
          LogError{LogErrorKind::corrupt_message,
                   fmt::format("CRC mismatch (stored {:#x}, computed {:#x})", h.crc(), h.compute_crc())});
    }
    batches.push_back(BatchInfo::from_header(bytes.data() + pos));
    pos += static_cast<size_t>(size);
  }
  if (batches.empty()) return unexpected(LogError{LogErrorKind::invalid_record, "no record batch"});
  return batches;
}

Log::Log(std::filesystem::path dir, TopicPartition tp, LogConfig config)
    : dir_(std::move(dir)),
      tp_(std::move(tp)),
      config_(config),
      epoch_cache_(dir_ / format::kLeaderEpochCheckpoint),
      producers_(dir_),
      last_flush_ms_(wall_now_ms()) {}

Log::~Log() = default;

Result<std::unique_ptr<Log>, LogError> Log::open(const std::filesystem::path& dir, TopicPartition tp,
                                                 LogConfig config, int64_t recovery_point,
                                                 bool had_clean_shutdown,
                                                 int64_t log_start_offset_checkpoint) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return unexpected(storage(fmt::format("cannot create {}: {}", dir.string(), ec.message())));
  std::unique_ptr<Log> log(new Log(dir, std::move(tp), config));
  if (auto r = log->load(recovery_point, had_clean_shutdown, log_start_offset_checkpoint); !r) {
    return unexpected(r.error());
  }
  return log;
}

Result<void, LogError> Log::load(int64_t recovery_point, bool had_clean_shutdown,
                                 int64_t log_start_checkpoint) {
  if (auto r = finish_interrupted_cleaning(); !r) return unexpected(storage(r.error()));
  // Leftovers of interrupted work: deletions, cleaner output, atomic-write temporaries.
  std::vector<int64_t> bases;
  std::vector<std::filesystem::path> index_files;
  std::error_code ec;
  for (const auto& de : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = de.path().filename().string();
    if (has_suffix(name, format::kDeletedSuffix) || has_suffix(name, format::kCleanedSuffix) ||
        has_suffix(name, format::kSwapSuffix) || has_suffix(name, ".tmp")) {
      remove_files({de.path()});
    } else if (auto base = format::parse_offset(name, format::kLogSuffix)) {
      bases.push_back(*base);
    } else if (has_suffix(name, format::kIndexSuffix) || has_suffix(name, format::kTimeIndexSuffix)) {
      index_files.push_back(de.path());
    }
  }
  if (ec) return unexpected(storage(fmt::format("cannot list {}: {}", dir_.string(), ec.message())));
  std::sort(bases.begin(), bases.end());
  for (const auto& p : index_files) {  // orphan indexes (no .log) go
    auto stem = p.stem().string();
    auto base = format::parse_offset(stem + std::string(format::kLogSuffix), format::kLogSuffix);
    if (!base || !std::binary_search(bases.begin(), bases.end(), *base)) remove_files({p});
  }

  int64_t now = wall_now_ms();
  for (size_t i = 0; i < bases.size(); ++i) {
    auto seg = Segment::open(dir_, bases[i], config_, i + 1 == bases.size(), now);
    if (!seg) return unexpected(storage(seg.error()));
    segments_.emplace(bases[i], std::move(*seg));
  }

  bool epochs_ok = true;
  if (auto r = epoch_cache_.load(); !r) {
    logger().warn("[{}] {}; rebuilding it from the log", tp_.to_string(), r.error());
    epochs_ok = false;
  }
  if (auto r = recover_from(recovery_point, had_clean_shutdown); !r) return unexpected(storage(r.error()));

  if (segments_.empty()) {
    int64_t base = std::max<int64_t>(log_start_checkpoint, 0);
    auto seg = Segment::create(dir_, base, config_, now);
    if (!seg) return unexpected(storage(seg.error()));
    segments_.emplace(base, std::move(*seg));
  }
  log_end_offset_ = active().next_offset();
  log_start_offset_ = std::clamp(log_start_checkpoint, segments_.begin()->first, log_end_offset_);
  recovery_point_ = log_end_offset_;

  if (!epochs_ok) rebuild_epoch_cache();
  epoch_cache_.truncate_from_end(log_end_offset_);
  epoch_cache_.truncate_from_start(log_start_offset_);
  producers_.delete_snapshots_after(log_end_offset_);
  rebuild_producer_state();
  return {};
}

// Kafka's LogLoader.removeTempFilesAndCollectSwapFiles + completion of swaps (spec/internals.md §7.7 step 1):
// .deleted and .cleaned files go; index .swap files go (rebuilt from the log); a .log.swap from at or after
// the first .cleaned offset is an unfinished group and goes; every other .log.swap replaces the segments
// whose base offsets it covers and drops its suffix.
Result<void, std::string> Log::finish_interrupted_cleaning() {
  std::vector<std::filesystem::path> log_swaps;
  int64_t min_cleaned = INT64_MAX;
  std::error_code ec;
  for (const auto& de : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = de.path().filename().string();
    if (has_suffix(name, format::kDeletedSuffix) || has_suffix(name, ".tmp")) {
      remove_files({de.path()});
    } else if (has_suffix(name, format::kCleanedSuffix)) {
      if (auto base = format::parse_offset(name.substr(0, format::kFileNameDigits), "")) {
        min_cleaned = std::min(min_cleaned, *base);
      }
      remove_files({de.path()});
    } else if (has_suffix(name, format::kSwapSuffix)) {
      std::string stem = name.substr(0, name.size() - format::kSwapSuffix.size());
      if (format::parse_offset(stem, format::kLogSuffix)) {
        log_swaps.push_back(de.path());
      } else {
        remove_files({de.path()});
      }
    }
  }
  if (ec) return unexpected(fmt::format("cannot list {}: {}", dir_.string(), ec.message()));

  int64_t low = INT64_MAX, high = INT64_MIN;
  std::vector<std::pair<std::filesystem::path, int64_t>> swaps;
  for (const auto& path : log_swaps) {
    std::string stem = path.filename().string();
    stem.resize(stem.size() - format::kSwapSuffix.size());
    int64_t base = *format::parse_offset(stem, format::kLogSuffix);
    if (base >= min_cleaned) {
      remove_files({path});
      continue;
    }
    auto next = next_offset_of_file(path, base);
    if (!next) return unexpected(next.error());
    low = std::min(low, base);
    high = std::max(high, std::max(*next, base + 1));  // an emptied group still replaces the segment at base
    swaps.emplace_back(path, base);
  }
  if (swaps.empty()) return {};
  for (const auto& de : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = de.path().filename().string();
    for (auto suffix : {format::kLogSuffix, format::kIndexSuffix, format::kTimeIndexSuffix}) {
      auto base = format::parse_offset(name, suffix);
      if (base && *base >= low && *base < high) remove_files({de.path()});
    }
  }
  if (ec) return unexpected(fmt::format("cannot list {}: {}", dir_.string(), ec.message()));
  for (const auto& [path, base] : swaps) {
    auto to = format::file_path(dir_, base, format::kLogSuffix);
    std::filesystem::rename(path, to, ec);
    if (ec) return unexpected(fmt::format("cannot rename {}: {}", path.string(), ec.message()));
  }
  logger().info("[{}] completed {} interrupted cleaner swap(s), replacing segments in [{}, {})",
                tp_.to_string(), swaps.size(), low, high);
  return fsync_dir(dir_);
}

Result<void, std::string> Log::recover_from(int64_t recovery_point, bool had_clean_shutdown) {
  if (segments_.empty()) return {};
  int64_t first_unflushed = had_clean_shutdown ? INT64_MAX : floor_segment(recovery_point)->first;
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    Segment& seg = *it->second;
    if (seg.base_offset() < first_unflushed && seg.indexes_sane()) continue;
    if (auto a = seg.on_become_active(config_); !a) return a;  // room for the rebuilt index entries
    auto rec = seg.recover(config_.index_interval_bytes, [&](const BatchInfo& b) {
      epoch_cache_.assign(b.partition_leader_epoch, b.base_offset);
    });
    if (!rec) return unexpected(rec.error());
    if (rec->truncated_bytes == 0 && std::next(it) != segments_.end() &&
        seg.next_offset() > std::next(it)->first) {
      rec->reason = fmt::format("offsets run into the next segment {}", std::next(it)->first);
    }
    if (rec->truncated_bytes == 0 && rec->reason.empty()) {
      if (std::next(it) != segments_.end()) (void)seg.on_become_inactive();
      if (auto f = seg.flush(); !f) return f;
      continue;
    }
    size_t later = static_cast<size_t>(std::distance(std::next(it), segments_.end()));
    logger().warn("[{}] recovery of segment {}: {}; truncated {} bytes, deleted {} later segment(s)",
                  tp_.to_string(), format::file_name(seg.base_offset(), format::kLogSuffix), rec->reason,
                  rec->truncated_bytes, later);
    remove_segments_from(std::next(it) == segments_.end() ? INT64_MAX : std::next(it)->first);
    if (auto a = seg.on_become_active(config_); !a) return a;
    if (auto f = seg.flush(); !f) return f;
    break;
  }
  return {};
}

void Log::remove_segments_from(int64_t base) {
  for (auto it = segments_.lower_bound(base); it != segments_.end();) {
    remove_files(it->second->paths());
    it = segments_.erase(it);
  }
}

void Log::rebuild_epoch_cache() {
  epoch_cache_.clear();
  for (const auto& [base, seg] : segments_) {
    auto r = seg->for_each_batch(0, [&](const BatchPosition& bp) {
      epoch_cache_.assign(bp.batch.partition_leader_epoch, bp.batch.base_offset);
      return true;
    });
    if (!r) logger().error("[{}] rebuilding the leader epoch cache: {}", tp_.to_string(), r.error());
  }
}

void Log::rebuild_producer_state() {
  // Latest snapshot at or below the log end, then the batch headers after it.
  std::optional<int64_t> from = producers_.load_latest_snapshot(log_end_offset_);
  int64_t start = from.value_or(log_start_offset_);
  for (auto it = floor_segment(start); it != segments_.end(); ++it) {
    auto pos = it->second->translate_offset(start);
    if (!pos) {
      logger().error("[{}] rebuilding producer state: {}", tp_.to_string(), pos.error());
      return;
    }
    if (!*pos) continue;
    auto r = it->second->for_each_batch((*pos)->position, [&](const BatchPosition& bp) {
      producers_.update(bp.batch);
      return true;
    });
    if (!r) logger().error("[{}] rebuilding producer state: {}", tp_.to_string(), r.error());
  }
}

std::map<int64_t, std::unique_ptr<Segment>>::const_iterator Log::floor_segment(int64_t offset) const {
  auto it = segments_.upper_bound(offset);
  return it == segments_.begin() ? it : std::prev(it);
}

Result<void, LogError> Log::check_online() const {
  if (offline_) {
    return unexpected(LogError{LogErrorKind::log_offline, fmt::format("log {} is offline", tp_.to_string())});
  }
  return {};
}

LogError Log::go_offline(const std::string& what) {
  offline_ = true;
  logger().error("[{}] taking the log offline after an I/O error: {}", tp_.to_string(), what);
  return storage(what);
}

Result<AppendInfo, LogError> Log::append_as_leader(std::span<uint8_t> bytes, int32_t leader_epoch,
                                                   std::optional<int64_t> append_time) {
  if (auto r = check_online(); !r) return unexpected(r.error());
  auto parsed = parse_batches(bytes, config_.max_message_bytes);
  if (!parsed) return unexpected(parsed.error());
  std::vector<BatchInfo>& batches = *parsed;

  // Idempotence checks against the state as it will be after the earlier batches of this append.
  std::unordered_map<int64_t, ProducerEntry> staged;
  for (const BatchInfo& b : batches) {
    if (b.producer_id < 0) continue;
    auto [it, fresh] = staged.try_emplace(b.producer_id);
    const ProducerEntry* known = producers_.find(b.producer_id);
    if (fresh && known != nullptr) it->second = *known;
    auto checked = ProducerStateManager::check(it->second.epoch >= 0 ? &it->second : nullptr, b);
    if (!checked) return unexpected(checked.error());
    if (*checked) {
      AppendInfo dup;
      dup.first_offset = (*checked)->first_offset;
      dup.last_offset = (*checked)->last_offset;
      dup.duplicate = true;
      return dup;
    }
    ProducerStateManager::apply(it->second, b);
  }

  // Offsets and leader epoch sit outside the CRC; LogAppendTime changes bytes inside it.
  int64_t next = log_end_offset_;
  size_t pos = 0;
  for (BatchInfo& b : batches) {
    batch::Header h(bytes.data() + pos);
    h.set_base_offset(next);
    h.set_partition_leader_epoch(leader_epoch);
    if (append_time) {
      h.set_attributes(static_cast<int16_t>(h.attributes() | batch::kTimestampTypeBit));
      h.set_max_timestamp(*append_time);
      h.update_crc();
    }
    b = BatchInfo::from_header(bytes.data() + pos);
    next = b.last_offset + 1;
    pos += static_cast<size_t>(b.size);
  }
  epoch_cache_.assign(leader_epoch, log_end_offset_);
  auto info = write(bytes, batches);
  if (info && append_time) info->log_append_time = *append_time;
  return info;
}

Result<AppendInfo, LogError> Log::append_as_follower(std::span<const uint8_t> bytes) {
  if (auto r = check_online(); !r) return unexpected(r.error());
  auto parsed = parse_batches(bytes, -1);
  if (!parsed) return unexpected(parsed.error());
  int64_t expected = log_end_offset_;
  for (const BatchInfo& b : *parsed) {
    if (b.base_offset < expected) {
      return unexpected(LogError{LogErrorKind::invalid_record,
                                 fmt::format("[{}] follower append at offset {} below {} (log end offset {})",
                                             tp_.to_string(), b.base_offset, expected, log_end_offset_)});
    }
    expected = b.last_offset + 1;
  }
  for (const BatchInfo& b : *parsed) epoch_cache_.assign(b.partition_leader_epoch, b.base_offset);
  return write(bytes, *parsed);
}

Result<AppendInfo, LogError> Log::write(std::span<const uint8_t> bytes,
                                        const std::vector<BatchInfo>& batches) {
  AppendInfo info;
  info.first_offset = batches.front().base_offset;
  info.last_offset = batches.back().last_offset;
  int64_t records = 0;
  for (const BatchInfo& b : batches) {
    info.max_timestamp = std::max(info.max_timestamp, b.max_timestamp);
    records += b.last_offset_delta + 1;
  }
  if (auto r = maybe_roll(static_cast<int64_t>(bytes.size()), info.max_timestamp, info.first_offset,
                          info.last_offset);
      !r) {
    return unexpected(r.error());
  }
  info.position = active().size();
  info.bytes = static_cast<int64_t>(bytes.size());
  if (auto w = active().append(bytes, batches, config_.index_interval_bytes); !w) {
    return unexpected(go_offline(w.error()));
  }
  for (const BatchInfo& b : batches) producers_.update(b);
  log_end_offset_ = info.last_offset + 1;
  unflushed_messages_ += records;
  return info;
}

Result<void, LogError> Log::maybe_roll(int64_t bytes, int64_t max_timestamp, int64_t first_offset,
                                       int64_t last_offset) {
  Segment& seg = active();
  bool gap = seg.empty() && first_offset > seg.base_offset();  // follower append past a compacted gap
  if (!gap && !seg.should_roll(config_, bytes, max_timestamp, last_offset, wall_now_ms())) return {};
  if (auto r = roll(std::max(first_offset, log_end_offset_)); !r) return unexpected(go_offline(r.error()));
  return {};
}

Result<void, std::string> Log::roll(int64_t new_base) {
  Segment& old = active();
  if (old.empty()) {
    // Nothing to keep: replace an empty active segment instead of leaving an empty file behind.
    if (old.base_offset() == new_base) return {};
    remove_files(old.paths());
    segments_.erase(old.base_offset());
  } else if (auto r = old.on_become_inactive(); !r) {
    return r;
  }
  auto seg = Segment::create(dir_, new_base, config_, wall_now_ms());
  if (!seg) return unexpected(seg.error());
  segments_.emplace(new_base, std::move(*seg));
  if (auto s = producers_.take_snapshot(new_base); !s) return s;
  if (segments_.size() < 2) return {};

  // The rolled segment is complete: make it durable off the loop and move the recovery point past it.
  std::vector<std::shared_ptr<File>> files = std::prev(segments_.end(), 2)->second->files();
  auto flush_files = [files, tp = tp_] {
    for (const auto& f : files) {
      if (auto r = f->fsync(); !r) logger().error("[{}] flush after roll: {}", tp.to_string(), r.error());
    }
  };
  std::weak_ptr<int> alive = alive_;
  auto done = [this, alive, new_base] {
    if (alive.lock()) recovery_point_ = std::max(recovery_point_, new_base);
  };
  if (background_ != nullptr) {
    background_->submit(flush_files, done);
  } else {
    flush_files();
    done();
  }
  return {};
}

Result<FetchDataInfo, LogError> Log::read(int64_t offset, int32_t max_bytes, int64_t max_offset,
                                          bool min_one_batch) const {
  if (auto r = check_online(); !r) return unexpected(r.error());
  if (offset < log_start_offset_ || offset > log_end_offset_) {
    return unexpected(LogError{LogErrorKind::offset_out_of_range,
                               fmt::format("[{}] offset {} not in [{}, {}]", tp_.to_string(), offset,
                                           log_start_offset_, log_end_offset_)});
  }
  FetchDataInfo out;
  int64_t budget = max_bytes;
  for (auto it = floor_segment(offset); it != segments_.end(); ++it) {
    const Segment& seg = *it->second;
    auto start = seg.translate_offset(offset);
    if (!start) return unexpected(storage(start.error()));
    if (!*start) continue;
    int64_t from = (*start)->position, to = from;
    bool stop = false;
    auto r = seg.for_each_batch(from, [&](const BatchPosition& bp) {
      bool first = out.bytes == 0 && to == from;
      if (bp.batch.base_offset >= max_offset || (bp.batch.size > budget && !(first && min_one_batch))) {
        stop = true;
        return false;
      }
      if (first) out.first_batch_offset = bp.batch.base_offset;
      to += bp.batch.size;
      budget -= bp.batch.size;
      return true;
    });
    if (!r) return unexpected(storage(r.error()));
    if (to > from) {
      out.regions.push_back(seg.region(from, to - from));
      out.bytes += to - from;
    }
    if (stop || budget <= 0) break;
  }
  return out;
}

std::optional<TimestampAndOffset> Log::offset_for_timestamp(int64_t ts, int64_t max_offset) const {
  if (offline_) return std::nullopt;
  for (const auto& [base, seg] : segments_) {
    if (seg->max_timestamp() < ts) continue;
    auto hit = seg->find_offset_by_timestamp(ts);
    if (!hit) {
      logger().error("[{}] timestamp lookup: {}", tp_.to_string(), hit.error());
      return std::nullopt;
    }
    if (!*hit) continue;
    int64_t offset = std::max((*hit)->offset, log_start_offset_);
    if (offset >= max_offset) return std::nullopt;
    return TimestampAndOffset{(*hit)->timestamp, offset, (*hit)->batch.partition_leader_epoch};
  }
  return std::nullopt;
}

int64_t Log::size_in_bytes() const {
  int64_t total = 0;
  for (const auto& [base, seg] : segments_) total += seg->size();
  return total;
}

std::vector<int64_t> Log::segment_base_offsets() const {
  std::vector<int64_t> bases;
  for (const auto& [base, seg] : segments_) bases.push_back(base);
  return bases;
}

void Log::truncate_to(int64_t offset) {
  if (offline_ || offset >= log_end_offset_) return;
  if (offset <= log_start_offset_ && offset <= segments_.begin()->first) {
    truncate_fully_and_start_at(offset);
    return;
  }
  auto floor = floor_segment(offset);
  for (auto it = std::next(floor); it != segments_.end();) {
    delete_segment_files(*it->second);
    it = segments_.erase(it);
  }
  Segment& seg = *floor->second;
  if (auto r = seg.truncate_to(offset); !r) {
    go_offline(r.error());
    return;
  }
  if (auto r = seg.on_become_active(config_); !r) {
    go_offline(r.error());
    return;
  }
  log_end_offset_ = seg.empty() ? seg.base_offset() : std::min(offset, seg.next_offset());
  log_start_offset_ = std::min(log_start_offset_, log_end_offset_);
  recovery_point_ = std::min(recovery_point_, log_end_offset_);
  epoch_cache_.truncate_from_end(log_end_offset_);
  producers_.delete_snapshots_after(log_end_offset_);
  rebuild_producer_state();
}

void Log::truncate_fully_and_start_at(int64_t offset) {
  if (offline_) return;
  for (auto& [base, seg] : segments_) delete_segment_files(*seg);
  segments_.clear();
  auto seg = Segment::create(dir_, offset, config_, wall_now_ms());
  if (!seg) {
    go_offline(seg.error());
    return;
  }
  segments_.emplace(offset, std::move(*seg));
  log_start_offset_ = log_end_offset_ = recovery_point_ = offset;
  epoch_cache_.clear();
  producers_.clear();
  producers_.delete_snapshots_after(-1);
}

void Log::maybe_increment_log_start_offset(int64_t offset) {
  if (offset <= log_start_offset_) return;
  log_start_offset_ = std::min(offset, log_end_offset_);
  epoch_cache_.truncate_from_start(log_start_offset_);
}

void Log::delete_segment_files(Segment& segment) {
  auto renamed = segment.rename_with_suffix(format::kDeletedSuffix);
  if (!renamed) {
    logger().error("[{}] cannot rename segment for deletion: {}", tp_.to_string(), renamed.error());
    return;
  }
  if (background_ != nullptr && config_.file_delete_delay_ms > 0) {
    background_->submit_after(config_.file_delete_delay_ms, [paths = *renamed] { remove_files(paths); });
  } else {
    remove_files(*renamed);
  }
}

int Log::delete_old_segments(int64_t now_ms, int64_t high_watermark) {
  if (offline_) return 0;
  int64_t total = size_in_bytes();
  int deleted = 0;
  while (segments_.size() > 1) {
    auto first = segments_.begin();
    const Segment& seg = *first->second;
    int64_t next_base = std::next(first)->first;
    if (next_base > high_watermark) break;
    int64_t largest = seg.max_timestamp() >= 0 ? seg.max_timestamp() : seg.last_modified_ms();
    bool by_time =
        config_.cleanup_delete && config_.retention_ms >= 0 && now_ms - largest > config_.retention_ms;
    bool by_size = config_.cleanup_delete && config_.retention_bytes >= 0 &&
                   total - seg.size() >= config_.retention_bytes;
    bool by_start = next_base <= log_start_offset_;
    if (!by_time && !by_size && !by_start) break;
    logger().info("[{}] deleting segment {} ({}{}{})", tp_.to_string(), seg.base_offset(),
                  by_time ? "retention.ms " : "", by_size ? "retention.bytes " : "",
                  by_start ? "log start" : "");
    total -= seg.size();
    delete_segment_files(*first->second);
    segments_.erase(first);
    ++deleted;
  }
  if (deleted > 0) {
    log_start_offset_ = std::max(log_start_offset_, segments_.begin()->first);
    epoch_cache_.truncate_from_start(log_start_offset_);
    producers_.delete_snapshots_before(segments_.begin()->first);
  }
  return deleted;
}

Result<void, LogError> Log::flush() {
  if (auto r = check_online(); !r) return unexpected(r.error());
  for (auto it = floor_segment(recovery_point_); it != segments_.end(); ++it) {
    if (auto f = it->second->flush(); !f) return unexpected(go_offline(f.error()));
  }
  if (auto d = fsync_dir(dir_); !d) return unexpected(go_offline(d.error()));
  on_flushed(log_end_offset_, wall_now_ms());
  return {};
}

Log::FlushJob Log::prepare_flush() {
  FlushJob job{{}, log_end_offset_};
  for (auto it = floor_segment(recovery_point_); it != segments_.end(); ++it) {
    for (auto& f : it->second->files()) job.files.push_back(f);
  }
  unflushed_messages_ = 0;
  return job;
}

void Log::on_flushed(int64_t end_offset, int64_t now_ms) {
  recovery_point_ = std::max(recovery_point_, std::min(end_offset, log_end_offset_));
  if (end_offset >= log_end_offset_) unflushed_messages_ = 0;
  last_flush_ms_ = now_ms;
}

std::vector<SegmentView> Log::inactive_segments() const {
  std::vector<SegmentView> out;
  for (auto it = segments_.begin(); it != segments_.end() && std::next(it) != segments_.end(); ++it) {
    const Segment& seg = *it->second;
    out.push_back({seg.base_offset(), std::next(it)->first, seg.size(), seg.max_timestamp(), seg.log_file()});
  }
  return out;
}

Result<void, std::string> Log::replace_segments(std::unique_ptr<Segment> cleaned,
                                                const std::vector<SegmentView>& old, const CleanerHook& hook,
                                                size_t group) {
  if (offline_) return unexpected(fmt::format("log {} is offline", tp_.to_string()));
  if (old.empty() || cleaned->base_offset() != old.front().base_offset) {
    throw std::logic_error("replace_segments: cleaned segment does not start the group");
  }
  for (const SegmentView& v : old) {
    auto it = segments_.find(v.base_offset);
    if (it == segments_.end() || it->second->log_file() != v.file || it->second->size() != v.size ||
        std::next(it) == segments_.end()) {
      remove_files(cleaned->paths());
      return unexpected(
          fmt::format("[{}] segment {} changed while it was cleaned", tp_.to_string(), v.base_offset));
    }
  }
  auto step = [&](CleanerStep s) {
    if (hook) hook(s, group);
  };
  if (auto r = cleaned->change_suffix(format::kCleanedSuffix, format::kSwapSuffix); !r) {
    remove_files(cleaned->paths());  // old segments untouched: a half-renamed group is simply dropped
    return r;
  }
  if (auto r = fsync_dir(dir_); !r) return unexpected(go_offline(r.error()).message);
  step(CleanerStep::renamed_to_swap);

  std::vector<std::unique_ptr<Segment>> replaced;
  for (const SegmentView& v : old) {
    auto it = segments_.find(v.base_offset);
    replaced.push_back(std::move(it->second));
    segments_.erase(it);
  }
  Segment* installed = cleaned.get();
  segments_.emplace(installed->base_offset(), std::move(cleaned));
  step(CleanerStep::swapped_in_memory);

  for (auto& seg : replaced) delete_segment_files(*seg);
  if (auto r = fsync_dir(dir_); !r) return unexpected(go_offline(r.error()).message);
  step(CleanerStep::old_renamed_deleted);

  if (auto r = installed->change_suffix(format::kSwapSuffix, ""); !r)
    return unexpected(go_offline(r.error()).message);
  if (auto r = fsync_dir(dir_); !r) return unexpected(go_offline(r.error()).message);
  step(CleanerStep::swap_done);
  return {};
}

Result<void, LogError> Log::close() {
  if (auto r = check_online(); !r) return unexpected(r.error());
  if (auto s = producers_.take_snapshot(log_end_offset_); !s) return unexpected(go_offline(s.error()));
  if (auto t = active().on_become_inactive(); !t) return unexpected(go_offline(t.error()));
  return flush();
}

}  // namespace gregor::log
