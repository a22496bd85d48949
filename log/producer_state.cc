// ProducerStateManager: idempotent-producer sequence checks and Kafka-layout .snapshot files.
#include "log/producer_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "log/file.h"
#include "log/format.h"
#include "log/logger.h"
#include "protocol/crc32c.h"
#include "protocol/endian.h"

namespace gregor::log {
namespace {

// Snapshot layout (Kafka's ProducerStateManager, version 1): version int16, crc uint32 (CRC-32C of what
// follows), count int32, then per entry the fields below.
constexpr size_t kSnapshotHeader = 2 + 4 + 4;
constexpr size_t kSnapshotEntry = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

int32_t next_sequence(int32_t seq) { return seq == std::numeric_limits<int32_t>::max() ? 0 : seq + 1; }

}  // namespace

Result<std::optional<ProducerBatch>, LogError> ProducerStateManager::check(const ProducerEntry* entry,
                                                                           const BatchInfo& batch) {
  if (entry == nullptr || entry->epoch < 0) return std::nullopt;
  if (batch.producer_epoch < entry->epoch) {
    return unexpected(LogError{LogErrorKind::invalid_producer_epoch,
                               fmt::format("producer {} epoch {} is older than current epoch {}",
                                           batch.producer_id, batch.producer_epoch, entry->epoch)});
  }
  if (batch.producer_epoch > entry->epoch) {
    if (batch.base_sequence != 0) {
      return unexpected(LogError{LogErrorKind::out_of_order_sequence,
                                 fmt::format("producer {} new epoch {} must start at sequence 0, not {}",
                                             batch.producer_id, batch.producer_epoch, batch.base_sequence)});
    }
    return std::nullopt;
  }
  int32_t last_seq = batch.last_sequence();
  for (const ProducerBatch& b : entry->batches) {
    if (b.first_seq == batch.base_sequence && b.last_seq == last_seq) return b;
  }
  if (entry->batches.empty()) return std::nullopt;
  int32_t expected = next_sequence(entry->batches.back().last_seq);
  if (batch.base_sequence != expected) {
    return unexpected(
        LogError{LogErrorKind::out_of_order_sequence,
                 fmt::format("producer {} epoch {}: sequence {} but expected {}", batch.producer_id,
                             batch.producer_epoch, batch.base_sequence, expected)});
  }
  return std::nullopt;
}

void ProducerStateManager::apply(ProducerEntry& entry, const BatchInfo& batch) {
  if (batch.producer_epoch != entry.epoch) {
    entry.epoch = batch.producer_epoch;
    entry.batches.clear();
  }
  entry.batches.push_back({batch.base_sequence, batch.last_sequence(), batch.base_offset, batch.last_offset,
                           batch.max_timestamp});
  while (entry.batches.size() > kBatchesToRetain) entry.batches.pop_front();
}

const ProducerEntry* ProducerStateManager::find(int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

std::unordered_map<int64_t, int64_t> ProducerStateManager::last_batch_offsets() const {
  std::unordered_map<int64_t, int64_t> out;
  for (const auto& [pid, entry] : producers_) {
    if (!entry.batches.empty()) out[pid] = entry.batches.back().last_offset;
  }
  return out;
}

void ProducerStateManager::update(const BatchInfo& batch) {
  if (batch.producer_id < 0) return;
  apply(producers_[batch.producer_id], batch);
}

Result<void, std::string> ProducerStateManager::take_snapshot(int64_t offset) const {
  size_t count = 0;
  for (const auto& [pid, entry] : producers_) count += entry.batches.size();
  std::string buf(kSnapshotHeader + count * kSnapshotEntry, '\0');
  auto* p = reinterpret_cast<uint8_t*>(buf.data());
  store_be16(p, static_cast<uint16_t>(format::kSnapshotVersion));
  store_be32(p + 6, static_cast<uint32_t>(count));
  uint8_t* e = p + kSnapshotHeader;
  // One Kafka entry per retained batch, oldest first, so Kafka's reader (last one wins) sees the newest.
  for (const auto& [pid, entry] : producers_) {
    for (const ProducerBatch& b : entry.batches) {
      store_be64(e, static_cast<uint64_t>(pid));
      store_be16(e + 8, static_cast<uint16_t>(entry.epoch));
      store_be32(e + 10, static_cast<uint32_t>(b.last_seq));
      store_be64(e + 14, static_cast<uint64_t>(b.last_offset));
      store_be32(e + 22, static_cast<uint32_t>(b.last_offset - b.first_offset));
      store_be64(e + 26, static_cast<uint64_t>(b.timestamp));
      store_be32(e + 34, static_cast<uint32_t>(-1));  // coordinator epoch: no transactions yet
      store_be64(e + 38, static_cast<uint64_t>(-1));  // current transaction first offset
      e += kSnapshotEntry;
    }
  }
  store_be32(p + 2, crc32c(p + 6, buf.size() - 6));
  return write_file_atomically(format::file_path(dir_, offset, format::kSnapshotSuffix), buf);
}

Result<void, std::string> ProducerStateManager::read_snapshot(const std::filesystem::path& path) {
  auto text = read_text_file(path);
  if (!text) return unexpected(text.error());
  const auto* p = reinterpret_cast<const uint8_t*>(text->data());
  size_t size = text->size();
  if (size < kSnapshotHeader) return unexpected(std::string("snapshot too short"));
  if (static_cast<int16_t>(load_be16(p)) != format::kSnapshotVersion)
    return unexpected(std::string("unknown snapshot version"));
  if (load_be32(p + 2) != crc32c(p + 6, size - 6)) return unexpected(std::string("snapshot CRC mismatch"));
  size_t count = load_be32(p + 6);
  if (size != kSnapshotHeader + count * kSnapshotEntry)
    return unexpected(std::string("snapshot size does not match its count"));
  producers_.clear();
  for (const uint8_t* e = p + kSnapshotHeader; count > 0; --count, e += kSnapshotEntry) {
    int64_t pid = static_cast<int64_t>(load_be64(e));
    ProducerEntry& entry = producers_[pid];
    entry.epoch = static_cast<int16_t>(load_be16(e + 8));
    ProducerBatch b;
    b.last_seq = static_cast<int32_t>(load_be32(e + 10));
    b.last_offset = static_cast<int64_t>(load_be64(e + 14));
    int32_t delta = static_cast<int32_t>(load_be32(e + 22));
    b.timestamp = static_cast<int64_t>(load_be64(e + 26));
    b.first_offset = b.last_offset - delta;
    int64_t first_seq = static_cast<int64_t>(b.last_seq) - delta;
    if (first_seq < 0) first_seq += static_cast<int64_t>(std::numeric_limits<int32_t>::max()) + 1;
    b.first_seq = static_cast<int32_t>(first_seq);
    entry.batches.push_back(b);
    while (entry.batches.size() > kBatchesToRetain) entry.batches.pop_front();
  }
  return {};
}

std::optional<int64_t> ProducerStateManager::load_latest_snapshot(int64_t max_offset) {
  auto offsets = snapshot_offsets();
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    if (*it > max_offset) continue;
    auto path = format::file_path(dir_, *it, format::kSnapshotSuffix);
    if (auto r = read_snapshot(path); r)
      return *it;
    else {
      logger().warn("deleting unreadable producer snapshot {}: {}", path.string(), r.error());
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  }
  producers_.clear();
  return std::nullopt;
}

std::vector<int64_t> ProducerStateManager::snapshot_offsets() const {
  std::vector<int64_t> offsets;
  std::error_code ec;
  for (const auto& de : std::filesystem::directory_iterator(dir_, ec)) {
    if (auto off = format::parse_offset(de.path().filename().string(), format::kSnapshotSuffix)) {
      offsets.push_back(*off);
    }
  }
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

void ProducerStateManager::delete_snapshots_after(int64_t offset) const {
  for (int64_t off : snapshot_offsets()) {
    if (off <= offset) continue;
    std::error_code ec;
    std::filesystem::remove(format::file_path(dir_, off, format::kSnapshotSuffix), ec);
    if (ec) logger().error("cannot delete producer snapshot {} in {}: {}", off, dir_.string(), ec.message());
  }
}

void ProducerStateManager::delete_snapshots_before(int64_t offset) const {
  for (int64_t off : snapshot_offsets()) {
    if (off >= offset) continue;
    std::error_code ec;
    std::filesystem::remove(format::file_path(dir_, off, format::kSnapshotSuffix), ec);
    if (ec) logger().error("cannot delete producer snapshot {} in {}: {}", off, dir_.string(), ec.message());
  }
}

}  // namespace gregor::log
