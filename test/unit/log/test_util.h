// Test helpers: a temp dir removed at the end, reading fetch regions back, corrupting files.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "log/log.h"

namespace gregor::log::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gregor-log-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The bytes a fetch would send.
inline std::vector<uint8_t> region_bytes(const FetchDataInfo& info) {
  std::vector<uint8_t> out;
  for (const auto& r : info.regions) {
    size_t at = out.size();
    out.resize(at + static_cast<size_t>(r.length));
    ssize_t n = ::pread(r.fd, out.data() + at, static_cast<size_t>(r.length), r.offset);
    if (n != r.length) throw std::runtime_error("short pread of a fetch region");
  }
  return out;
}

inline std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline void write_file(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace gregor::log::test
