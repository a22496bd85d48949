// IndexFile: mmap, preallocation and trimming of .index/.timeindex files.
#include "log/index_file.h"

#include <fcntl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

namespace gregor::log {

Result<std::unique_ptr<IndexFile>, std::string> IndexFile::open(const std::filesystem::path& path,
                                                                int32_t entry_size, int32_t max_bytes,
                                                                bool active) {
  auto file = File::open(path, O_RDWR | O_CREAT);
  if (!file) return unexpected(file.error());
  auto size = (*file)->size();
  if (!size) return unexpected(size.error());
  std::unique_ptr<IndexFile> index(new IndexFile(std::move(*file), entry_size));
  index->length_valid_ = *size % entry_size == 0;
  index->entries_ = static_cast<int32_t>(*size / entry_size);
  int64_t target = *size - *size % entry_size;
  if (active) {
    int64_t max_size = max_bytes - max_bytes % entry_size;
    target = std::max(target, max_size);
  }
  if (target != *size) {
    if (auto t = index->file_->truncate(target); !t) return unexpected(t.error());
  }
  if (auto m = index->map(target); !m) return unexpected(m.error());
  return index;
}

IndexFile::~IndexFile() { unmap(); }

Result<void, std::string> IndexFile::map(int64_t size) {
  unmap();
  if (size == 0) return {};
  void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, file_->fd(), 0);
  if (p == MAP_FAILED) return unexpected(io_error_message("mmap", file_->path(), errno));
  map_ = static_cast<uint8_t*>(p);
  mapped_size_ = size;
  return {};
}

void IndexFile::unmap() {
  if (map_ != nullptr) ::munmap(map_, static_cast<size_t>(mapped_size_));
  map_ = nullptr;
  mapped_size_ = 0;
}

uint8_t* IndexFile::append_slot() {
  if (entries_ >= max_entries()) return nullptr;
  return map_ + static_cast<int64_t>(entries_++) * entry_size_;
}

void IndexFile::truncate_entries(int32_t n) {
  if (n >= entries_) return;
  std::memset(map_ + static_cast<int64_t>(n) * entry_size_, 0,
              static_cast<size_t>(entries_ - n) * entry_size_);
  entries_ = n;
}

Result<void, std::string> IndexFile::trim_to_valid_size() {
  int64_t size = static_cast<int64_t>(entries_) * entry_size_;
  if (size == mapped_size_) return {};
  unmap();
  if (auto t = file_->truncate(size); !t) return t;
  length_valid_ = true;
  return map(size);
}

Result<void, std::string> IndexFile::resize_for_append(int32_t max_bytes) {
  int64_t size = max_bytes - max_bytes % entry_size_;
  size = std::max(size, static_cast<int64_t>(entries_) * entry_size_);
  if (size == mapped_size_) return {};
  unmap();
  if (auto t = file_->truncate(size); !t) return t;
  return map(size);
}

}  // namespace gregor::log
