// Reading and writing Kafka's text checkpoint files.
#include "log/checkpoint_file.h"

#include <fmt/format.h>

#include <charconv>
#include <sstream>

#include "log/file.h"

namespace gregor::log {
namespace {

template <class Int>
bool parse_int(const std::string& s, Int& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string> split_fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(std::move(f));
  return fields;
}

std::string corrupt(const std::filesystem::path& path, std::string_view why) {
  return fmt::format("corrupt checkpoint file {}: {}", path.string(), why);
}

}  // namespace

Result<void, std::string> write_checkpoint(const std::filesystem::path& path, const CheckpointLines& lines) {
  std::string text = fmt::format("{}\n{}\n", kCheckpointVersion, lines.size());
  for (const auto& fields : lines) text += fmt::format("{}\n", fmt::join(fields, " "));
  return write_file_atomically(path, text);
}

Result<CheckpointLines, std::string> read_checkpoint(const std::filesystem::path& path,
                                                     size_t fields_per_line) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return CheckpointLines{};
  auto text = read_text_file(path);
  if (!text) return unexpected(text.error());
  std::istringstream in(*text);
  std::string line;
  int version = -1;
  if (!std::getline(in, line) || !parse_int(line, version))
    return unexpected(corrupt(path, "bad version line"));
  if (version != kCheckpointVersion)
    return unexpected(corrupt(path, fmt::format("unknown version {}", version)));
  size_t count = 0;
  if (!std::getline(in, line) || !parse_int(line, count)) return unexpected(corrupt(path, "bad count line"));
  CheckpointLines lines;
  while (std::getline(in, line)) {
    auto fields = split_fields(line);
    if (fields.empty()) continue;
    if (fields.size() != fields_per_line)
      return unexpected(corrupt(path, fmt::format("bad entry '{}'", line)));
    lines.push_back(std::move(fields));
  }
  if (lines.size() != count) {
    return unexpected(corrupt(path, fmt::format("expected {} entries, found {}", count, lines.size())));
  }
  return lines;
}

Result<void, std::string> write_offset_checkpoint(const std::filesystem::path& path,
                                                  const OffsetCheckpoint& offsets) {
  CheckpointLines lines;
  for (const auto& [tp, offset] : offsets) {
    lines.push_back({tp.topic, std::to_string(tp.partition), std::to_string(offset)});
  }
  return write_checkpoint(path, lines);
}

Result<OffsetCheckpoint, std::string> read_offset_checkpoint(const std::filesystem::path& path) {
  auto lines = read_checkpoint(path, 3);
  if (!lines) return unexpected(lines.error());
  OffsetCheckpoint offsets;
  for (const auto& f : *lines) {
    TopicPartition tp{f[0], 0};
    int64_t offset = 0;
    if (!parse_int(f[1], tp.partition) || !parse_int(f[2], offset)) {
      return unexpected(corrupt(path, fmt::format("bad entry '{} {} {}'", f[0], f[1], f[2])));
    }
    offsets[tp] = offset;
  }
  return offsets;
}

Result<void, std::string> write_epoch_checkpoint(const std::filesystem::path& path,
                                                 const EpochEntries& entries) {
  CheckpointLines lines;
  for (const auto& [epoch, start] : entries) lines.push_back({std::to_string(epoch), std::to_string(start)});
  return write_checkpoint(path, lines);
}

Result<EpochEntries, std::string> read_epoch_checkpoint(const std::filesystem::path& path) {
  auto lines = read_checkpoint(path, 2);
  if (!lines) return unexpected(lines.error());
  EpochEntries entries;
  for (const auto& f : *lines) {
    int32_t epoch = 0;
    int64_t start = 0;
    if (!parse_int(f[0], epoch) || !parse_int(f[1], start)) {
      return unexpected(corrupt(path, fmt::format("bad entry '{} {}'", f[0], f[1])));
    }
    entries.emplace_back(epoch, start);
  }
  return entries;
}

}  // namespace gregor::log
