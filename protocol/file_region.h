// FileRegion: a byte range of an open file, sent later with sendfile (zero-copy fetch responses).
#pragma once

#include <cstdint>
#include <memory>

namespace gregor {

struct FileRegion {
  int fd = -1;
  int64_t offset = 0;
  int64_t length = 0;
  // Keeps the file (and so fd) open until the region has been sent.
  std::shared_ptr<const void> owner;

  friend bool operator==(const FileRegion&, const FileRegion&) = default;
};

}  // namespace gregor
