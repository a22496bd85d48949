// TimeIndex: binary search over mmap'd (timestamp, relative offset) entries.
#include "log/time_index.h"

#include "log/format.h"
#include "protocol/endian.h"

namespace gregor::log {

Result<TimeIndex, std::string> TimeIndex::open(const std::filesystem::path& path, int64_t base_offset,
                                               int32_t max_bytes, bool active) {
  auto file = IndexFile::open(path, format::kTimeIndexEntrySize, max_bytes, active);
  if (!file) return unexpected(file.error());
  return TimeIndex(std::move(*file), base_offset);
}

TimestampOffset TimeIndex::entry(int32_t i) const {
  const uint8_t* p = file_->entry(i);
  return {static_cast<int64_t>(load_be64(p)), base_offset_ + static_cast<int32_t>(load_be32(p + 8))};
}

TimestampOffset TimeIndex::last_entry() const {
  int32_t n = file_->entries();
  return n == 0 ? TimestampOffset{-1, base_offset_} : entry(n - 1);
}

TimestampOffset TimeIndex::lookup_below(int64_t ts) const {
  int32_t lo = 0, hi = file_->entries();
  while (lo < hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (entry(mid).timestamp < ts) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return {-1, base_offset_};
  return entry(lo - 1);
}

void TimeIndex::maybe_append(int64_t ts, int64_t offset, bool final_entry) {
  int32_t n = file_->entries();
  if (n > 0) {
    TimestampOffset last = entry(n - 1);
    if (ts <= last.timestamp || offset < last.offset) return;
  }
  if (!final_entry && full()) return;
  uint8_t* slot = file_->append_slot();
  if (slot == nullptr) return;
  store_be64(slot, static_cast<uint64_t>(ts));
  store_be32(slot + 8, static_cast<uint32_t>(offset - base_offset_));
}

void TimeIndex::truncate_to(int64_t offset) {
  // Entries are ordered by offset as well as timestamp.
  int32_t lo = 0, hi = file_->entries();
  while (lo < hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (entry(mid).offset < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  file_->truncate_entries(lo);
}

bool TimeIndex::sane() const {
  if (!file_->length_valid()) return false;
  for (int32_t i = 1; i < file_->entries(); ++i) {
    TimestampOffset prev = entry(i - 1), e = entry(i);
    if (e.timestamp <= prev.timestamp || e.offset < prev.offset) return false;
  }
  return file_->entries() == 0 || entry(0).offset >= base_offset_;
}

}  // namespace gregor::log
