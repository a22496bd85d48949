// File: an open file descriptor (RAII) with the few positioned I/O calls the log needs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "protocol/result.h"

namespace gregor::log {

// Error text of a failed system call: "<what> <path>: <strerror>".
std::string io_error_message(const char* what, const std::filesystem::path& path, int err);

// Shared (std::shared_ptr) so that fetch responses and background fsyncs keep the fd open after the
// segment itself is gone. The path is informational; rename() keeps it current.
class File {
 public:
  static Result<std::shared_ptr<File>, std::string> open(const std::filesystem::path& path, int flags,
                                                         int mode = 0644);
  File(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }

  Result<int64_t, std::string> size() const;
  // Reads exactly buf.size() bytes at offset; fewer available is an error.
  Result<void, std::string> pread_exact(std::span<uint8_t> buf, int64_t offset) const;
  // Reads up to buf.size() bytes; returns how many were read (short only at end of file).
  Result<size_t, std::string> pread_some(std::span<uint8_t> buf, int64_t offset) const;
  // Writes all bytes at offset (retrying short writes).
  Result<void, std::string> pwrite_all(std::span<const uint8_t> buf, int64_t offset);
  Result<void, std::string> truncate(int64_t size);
  Result<void, std::string> fsync() const;
  Result<void, std::string> rename(const std::filesystem::path& to);

 private:
  int fd_;
  std::filesystem::path path_;
};

// Writes `content` to <path>.tmp, fsyncs it, renames it over <path> and fsyncs the directory.
Result<void, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view content);
// Whole file as text; error if it cannot be read.
Result<std::string, std::string> read_text_file(const std::filesystem::path& path);
// fsync of a directory, so that renames and creations in it are durable.
Result<void, std::string> fsync_dir(const std::filesystem::path& dir);

}  // namespace gregor::log
