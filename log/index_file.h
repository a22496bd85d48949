// IndexFile: a memory-mapped file of fixed-size entries, preallocated while its segment is active and
// trimmed to its entries afterwards (Kafka's AbstractIndex).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "log/file.h"
#include "protocol/result.h"

namespace gregor::log {

class IndexFile {
 public:
  // Opens or creates `path`. The entry count comes from the file length (a length that is not a multiple
  // of entry_size is reported by length_valid()). If `active`, the file is grown to max_bytes rounded
  // down to a multiple of entry_size so that appends never have to remap.
  static Result<std::unique_ptr<IndexFile>, std::string> open(const std::filesystem::path& path,
                                                              int32_t entry_size, int32_t max_bytes,
                                                              bool active);
  ~IndexFile();
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  int32_t entries() const { return entries_; }
  int32_t max_entries() const { return static_cast<int32_t>(mapped_size_ / entry_size_); }
  bool length_valid() const { return length_valid_; }
  const uint8_t* entry(int32_t i) const { return map_ + static_cast<int64_t>(i) * entry_size_; }
  // Slot for a new entry, or nullptr when full. The caller fills it at once.
  uint8_t* append_slot();
  // Keeps the first n entries and zeroes the rest.
  void truncate_entries(int32_t n);

  // Shrinks the file to exactly entries() * entry_size (segment no longer active, or closing).
  Result<void, std::string> trim_to_valid_size();
  // Grows the file back to max_bytes (segment active again after a truncation).
  Result<void, std::string> resize_for_append(int32_t max_bytes);
  Result<void, std::string> rename(const std::filesystem::path& to) { return file_->rename(to); }
  const std::shared_ptr<File>& file() const { return file_; }
  const std::filesystem::path& path() const { return file_->path(); }

 private:
  IndexFile(std::shared_ptr<File> file, int32_t entry_size)
      : file_(std::move(file)), entry_size_(entry_size) {}
  Result<void, std::string> map(int64_t size);
  void unmap();

  std::shared_ptr<File> file_;
  int32_t entry_size_;
  uint8_t* map_ = nullptr;
  int64_t mapped_size_ = 0;
  int32_t entries_ = 0;
  bool length_valid_ = true;
};

}  // namespace gregor::log
