// File: RAII fd with pread/pwrite/ftruncate/fsync, plus atomic text-file writes.
#include "log/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gregor::log {

std::string io_error_message(const char* what, const std::filesystem::path& path, int err) {
  return fmt::format("{} {}: {}", what, path.string(), std::strerror(err));
}

Result<std::shared_ptr<File>, std::string> File::open(const std::filesystem::path& path, int flags,
                                                      int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return unexpected(io_error_message("open", path, errno));
  return std::make_shared<File>(fd, path);
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

Result<int64_t, std::string> File::size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return unexpected(io_error_message("fstat", path_, errno));
  return static_cast<int64_t>(st.st_size);
}

Result<size_t, std::string> File::pread_some(std::span<uint8_t> buf, int64_t offset) const {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd_, buf.data() + done, buf.size() - done, offset + static_cast<int64_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return unexpected(io_error_message("pread", path_, errno));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<void, std::string> File::pread_exact(std::span<uint8_t> buf, int64_t offset) const {
  auto n = pread_some(buf, offset);
  if (!n) return unexpected(n.error());
  if (*n != buf.size()) {
    return unexpected(
        fmt::format("pread {}: short read at {} ({} of {} bytes)", path_.string(), offset, *n, buf.size()));
  }
  return {};
}

Result<void, std::string> File::pwrite_all(std::span<const uint8_t> buf, int64_t offset) {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pwrite(fd_, buf.data() + done, buf.size() - done, offset + static_cast<int64_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return unexpected(io_error_message("write", path_, errno));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void, std::string> File::truncate(int64_t size) {
  if (::ftruncate(fd_, size) != 0) return unexpected(io_error_message("ftruncate", path_, errno));
  return {};
}

Result<void, std::string> File::fsync() const {
  if (::fsync(fd_) != 0) return unexpected(io_error_message("fsync", path_, errno));
  return {};
}

Result<void, std::string> File::rename(const std::filesystem::path& to) {
  if (::rename(path_.c_str(), to.c_str()) != 0) return unexpected(io_error_message("rename", path_, errno));
  path_ = to;
  return {};
}

Result<void, std::string> fsync_dir(const std::filesystem::path& dir) {
  auto f = File::open(dir, O_RDONLY | O_DIRECTORY);
  if (!f) return unexpected(f.error());
  return (*f)->fsync();
}

Result<void, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    auto f = File::open(tmp, O_WRONLY | O_CREAT | O_TRUNC);
    if (!f) return unexpected(f.error());
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(content.data()), content.size());
    if (auto w = (*f)->pwrite_all(bytes, 0); !w) return w;
    if (auto s = (*f)->fsync(); !s) return s;
    if (auto r = (*f)->rename(path); !r) return r;
  }
  return fsync_dir(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
}

Result<std::string, std::string> read_text_file(const std::filesystem::path& path) {
  auto f = File::open(path, O_RDONLY);
  if (!f) return unexpected(f.error());
  auto size = (*f)->size();
  if (!size) return unexpected(size.error());
  std::string text(static_cast<size_t>(*size), '\0');
  auto n = (*f)->pread_some(std::span(reinterpret_cast<uint8_t*>(text.data()), text.size()), 0);
  if (!n) return unexpected(n.error());
  text.resize(*n);
  return text;
}

}  // namespace gregor::log
