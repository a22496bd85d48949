// Storage format constants: file suffixes, index entry sizes and file names (bytes in log/FORMAT.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace gregor::log::format {

inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";
inline constexpr std::string_view kSnapshotSuffix = ".snapshot";
inline constexpr std::string_view kDeletedSuffix = ".deleted";
inline constexpr std::string_view kCleanedSuffix = ".cleaned";
inline constexpr std::string_view kSwapSuffix = ".swap";
inline constexpr std::string_view kDeleteDirSuffix = "-delete";
inline constexpr std::string_view kFutureDirSuffix = "-future";

inline constexpr int kFileNameDigits = 20;
// .index: int32 relative offset + int32 position.
inline constexpr int32_t kOffsetIndexEntrySize = 8;
// .timeindex: int64 timestamp + int32 relative offset.
inline constexpr int32_t kTimeIndexEntrySize = 12;

// Files at the root of each log dir.
inline constexpr std::string_view kRecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
inline constexpr std::string_view kReplicationCheckpoint = "replication-offset-checkpoint";
inline constexpr std::string_view kLogStartOffsetCheckpoint = "log-start-offset-checkpoint";
inline constexpr std::string_view kCleanerOffsetCheckpoint = "cleaner-offset-checkpoint";
inline constexpr std::string_view kCleanShutdownFile = ".kafka_cleanshutdown";
inline constexpr std::string_view kLockFile = ".lock";
inline constexpr std::string_view kMetaProperties = "meta.properties";
// Files in each partition dir.
inline constexpr std::string_view kLeaderEpochCheckpoint = "leader-epoch-checkpoint";
inline constexpr std::string_view kPartitionMetadata = "partition.metadata";

// Producer-state snapshot (§7.6).
inline constexpr int16_t kSnapshotVersion = 1;

// "00000000000000000042" + suffix.
std::string file_name(int64_t offset, std::string_view suffix);
std::filesystem::path file_path(const std::filesystem::path& dir, int64_t offset, std::string_view suffix);
// The base offset of a file named <20 digits><suffix>, or nullopt if the name has another shape.
std::optional<int64_t> parse_offset(std::string_view file_name, std::string_view suffix);

}  // namespace gregor::log::format
