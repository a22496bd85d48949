// OffsetIndex: binary search over mmap'd (relative offset, position) entries.
#include "log/offset_index.h"

#include "log/format.h"
#include "protocol/endian.h"

namespace gregor::log {

Result<OffsetIndex, std::string> OffsetIndex::open(const std::filesystem::path& path, int64_t base_offset,
                                                   int32_t max_bytes, bool active) {
  auto file = IndexFile::open(path, format::kOffsetIndexEntrySize, max_bytes, active);
  if (!file) return unexpected(file.error());
  return OffsetIndex(std::move(*file), base_offset);
}

OffsetPosition OffsetIndex::entry(int32_t i) const {
  const uint8_t* p = file_->entry(i);
  return {base_offset_ + static_cast<int32_t>(load_be32(p)), static_cast<int32_t>(load_be32(p + 4))};
}

OffsetPosition OffsetIndex::lookup(int64_t target) const {
  // Binary search for the last entry with offset <= target.
  int32_t lo = 0, hi = file_->entries();
  while (lo < hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (entry(mid).offset <= target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return {base_offset_, 0};
  return entry(lo - 1);
}

void OffsetIndex::append(int64_t offset, int32_t position) {
  int32_t n = file_->entries();
  if (n > 0) {
    OffsetPosition last = entry(n - 1);
    if (offset <= last.offset || position <= last.position) return;
  }
  uint8_t* slot = file_->append_slot();
  if (slot == nullptr) return;
  store_be32(slot, static_cast<uint32_t>(offset - base_offset_));
  store_be32(slot + 4, static_cast<uint32_t>(position));
}

void OffsetIndex::truncate_to(int64_t offset) {
  int32_t lo = 0, hi = file_->entries();
  while (lo < hi) {  // first entry with offset >= target
    int32_t mid = lo + (hi - lo) / 2;
    if (entry(mid).offset < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  file_->truncate_entries(lo);
}

bool OffsetIndex::sane(int64_t log_size) const {
  if (!file_->length_valid()) return false;
  for (int32_t i = 0; i < file_->entries(); ++i) {
    OffsetPosition e = entry(i);
    if (e.offset < base_offset_ || e.position < 0 || e.position >= log_size) return false;
    if (i > 0) {
      OffsetPosition prev = entry(i - 1);
      if (e.offset <= prev.offset || e.position <= prev.position) return false;
    }
  }
  return true;
}

}  // namespace gregor::log
