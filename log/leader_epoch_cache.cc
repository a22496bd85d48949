// LeaderEpochCache: Kafka's epoch -> start offset map and its checkpoint file.
#include "log/leader_epoch_cache.h"

#include <algorithm>

#include "log/background_tasks.h"
#include "log/checkpoint_file.h"
#include "log/logger.h"

namespace gregor::log {

namespace {

void write_checkpoint(const std::filesystem::path& file,
                      const std::vector<std::pair<int32_t, int64_t>>& entries) {
  std::error_code ec;
  if (!std::filesystem::exists(file.parent_path(), ec)) {
    // Queued before the partition was deleted (its dir renamed for deletion): nothing left to record.
    logger().debug("skipping leader-epoch-checkpoint of deleted {}", file.parent_path().string());
    return;
  }
  if (auto w = write_epoch_checkpoint(file, entries); !w) {
    logger().error("cannot write leader-epoch-checkpoint: {}", w.error());
  }
}

}  // namespace

Result<void, std::string> LeaderEpochCache::load() {
  entries_.clear();
  if (file_.empty()) return {};
  auto read = read_epoch_checkpoint(file_);
  if (!read) return unexpected(read.error());
  for (const auto& [epoch, start] : *read) {
    if (!entries_.empty() && (epoch <= entries_.back().first || start < entries_.back().second)) {
      entries_.clear();
      return unexpected("leader-epoch-checkpoint " + file_.string() + ": entries not increasing");
    }
    entries_.emplace_back(epoch, start);
  }
  return {};
}

void LeaderEpochCache::assign(int32_t epoch, int64_t start_offset) {
  if (epoch < 0) return;
  if (!entries_.empty() && epoch <= entries_.back().first) return;
  while (!entries_.empty() && entries_.back().second >= start_offset) entries_.pop_back();
  entries_.emplace_back(epoch, start_offset);
  persist();
}

int32_t LeaderEpochCache::latest_epoch() const { return entries_.empty() ? -1 : entries_.back().first; }

std::pair<int32_t, int64_t> LeaderEpochCache::end_offset_for(int32_t epoch, int64_t log_end_offset) const {
  if (epoch < 0 || entries_.empty() || epoch > entries_.back().first) return {-1, -1};
  if (epoch == entries_.back().first) return {epoch, log_end_offset};
  if (epoch < entries_.front().first) return {epoch, entries_.front().second};
  // First entry with a higher epoch; the one before it is the floor.
  auto higher = std::upper_bound(entries_.begin(), entries_.end(), epoch,
                                 [](int32_t e, const auto& entry) { return e < entry.first; });
  return {std::prev(higher)->first, higher->second};
}

void LeaderEpochCache::truncate_from_end(int64_t end_offset) {
  size_t before = entries_.size();
  while (!entries_.empty() && entries_.back().second >= end_offset) entries_.pop_back();
  if (entries_.size() != before) persist();
}

void LeaderEpochCache::truncate_from_start(int64_t start_offset) {
  // Last entry starting at or before start_offset covers it.
  auto covering = std::upper_bound(entries_.begin(), entries_.end(), start_offset,
                                   [](int64_t off, const auto& entry) { return off < entry.second; });
  if (covering == entries_.begin()) return;
  --covering;
  if (covering == entries_.begin() && covering->second == start_offset) return;
  covering->second = start_offset;
  entries_.erase(entries_.begin(), covering);
  persist();
}

void LeaderEpochCache::clear() {
  if (entries_.empty()) return;
  entries_.clear();
  persist();
}

void LeaderEpochCache::persist() {
  if (file_.empty()) return;
  if (background_ == nullptr) return write_checkpoint(file_, entries_);
  // Off the loop, as Kafka does since KAFKA-15046: under other processes' disk load one fsync can take
  // seconds, and the loop also answers ZooKeeper's pings. The helper thread keeps the writes in order; a
  // crash before the write is harmless: recovery drops entries past the log end and re-assigns the epochs of
  // the batches it recovers.
  background_->submit([file = file_, entries = entries_] { write_checkpoint(file, entries); });
}

}  // namespace gregor::log
