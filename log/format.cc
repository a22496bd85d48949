// File-name helpers for segments, indexes and snapshots.
#include "log/format.h"

#include <fmt/format.h>

#include <charconv>

namespace gregor::log::format {

std::string file_name(int64_t offset, std::string_view suffix) {
  return fmt::format("{:020d}{}", offset, suffix);
}

std::filesystem::path file_path(const std::filesystem::path& dir, int64_t offset, std::string_view suffix) {
  return dir / file_name(offset, suffix);
}

std::optional<int64_t> parse_offset(std::string_view name, std::string_view suffix) {
  if (name.size() != kFileNameDigits + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  int64_t offset = 0;
  const char* last = name.data() + kFileNameDigits;
  auto [ptr, ec] = std::from_chars(name.data(), last, offset);
  if (ec != std::errc() || ptr != last || offset < 0) return std::nullopt;
  return offset;
}

}  // namespace gregor::log::format
