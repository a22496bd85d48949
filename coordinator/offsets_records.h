// The __consumer_offsets record schema: OffsetCommitKey/Value and GroupMetadataKey/Value in Kafka's bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "protocol/result.h"

namespace gregor::coordinator {

// Layout (internals.md §6.9): every key and value starts with an int16 version; fields follow
// big-endian, strings as int16 length + UTF-8, bytes as int32 length. Value version 4 is the
// flexible encoding (compact lengths, tagged fields); it is read but never written. The key
// version says what the record is: 0/1 an offset commit, 2 group metadata.

struct OffsetCommitKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  bool operator==(const OffsetCommitKey&) const = default;
};

struct OffsetCommitValue {
  int64_t offset = 0;
  int32_t leader_epoch = -1;  // v3+; -1 = none
  std::string metadata;
  int64_t commit_timestamp = 0;
  int64_t expire_timestamp = -1;  // v1 only; -1 = none
  bool operator==(const OffsetCommitValue&) const = default;
};

struct GroupMetadataKey {
  std::string group;
  bool operator==(const GroupMetadataKey&) const = default;
};

struct GroupMetadataValue {
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v3+
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout = -1;  // v1+
    int32_t session_timeout = 0;
    std::vector<uint8_t> subscription;
    std::vector<uint8_t> assignment;
    bool operator==(const Member&) const = default;
  };
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  int64_t current_state_timestamp = -1;  // v2+
  std::vector<Member> members;
  bool operator==(const GroupMetadataValue&) const = default;
};

// What Kafka 3.x writes: offset key v1, offset value v3 (v1 when an expire timestamp is set),
// group metadata value v3.
constexpr int16_t kOffsetCommitKeyVersion = 1;
constexpr int16_t kGroupMetadataKeyVersion = 2;
constexpr int16_t kGroupMetadataValueVersion = 3;
int16_t offset_commit_value_version(const OffsetCommitValue& value);

std::vector<uint8_t> encode_offset_commit_key(const OffsetCommitKey& key);
// version 0..3; throws std::invalid_argument for others (a caller bug).
std::vector<uint8_t> encode_offset_commit_value(const OffsetCommitValue& value, int16_t version);
std::vector<uint8_t> encode_group_metadata_key(const GroupMetadataKey& key);
// version 0..3; throws std::invalid_argument for others.
std::vector<uint8_t> encode_group_metadata_value(const GroupMetadataValue& value, int16_t version);

// A key of an unknown version: skipped on load (Kafka logs and ignores it).
struct UnknownKey {
  int16_t version = 0;
  bool operator==(const UnknownKey&) const = default;
};
using RecordKey = std::variant<OffsetCommitKey, GroupMetadataKey, UnknownKey>;

Result<RecordKey, std::string> decode_key(std::span<const uint8_t> bytes);
Result<OffsetCommitValue, std::string> decode_offset_commit_value(std::span<const uint8_t> bytes);
Result<GroupMetadataValue, std::string> decode_group_metadata_value(std::span<const uint8_t> bytes);

}  // namespace gregor::coordinator
