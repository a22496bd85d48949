// Kafka's text checkpoint files: "0\n<count>\n" then one entry per line (spec/internals.md §7.5).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "log/topic_partition.h"
#include "protocol/result.h"

namespace gregor::log {

inline constexpr int kCheckpointVersion = 0;

// Entries are whitespace-separated fields; the writer joins them with single spaces.
using CheckpointLines = std::vector<std::vector<std::string>>;

// Atomic: <path>.tmp, fsync, rename, fsync dir.
Result<void, std::string> write_checkpoint(const std::filesystem::path& path, const CheckpointLines& lines);
// A missing file is an empty checkpoint; a wrong version, count or field count is an error.
Result<CheckpointLines, std::string> read_checkpoint(const std::filesystem::path& path,
                                                     size_t fields_per_line);

// recovery-point-offset-checkpoint, replication-offset-checkpoint, log-start-offset-checkpoint:
// "topic partition offset".
using OffsetCheckpoint = std::map<TopicPartition, int64_t>;
Result<void, std::string> write_offset_checkpoint(const std::filesystem::path& path,
                                                  const OffsetCheckpoint& offsets);
Result<OffsetCheckpoint, std::string> read_offset_checkpoint(const std::filesystem::path& path);

// leader-epoch-checkpoint: "epoch startOffset".
using EpochEntries = std::vector<std::pair<int32_t, int64_t>>;
Result<void, std::string> write_epoch_checkpoint(const std::filesystem::path& path,
                                                 const EpochEntries& entries);
Result<EpochEntries, std::string> read_epoch_checkpoint(const std::filesystem::path& path);

}  // namespace gregor::log
