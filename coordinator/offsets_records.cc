// Encoding and decoding of the __consumer_offsets keys and values, version by version.
#include "coordinator/offsets_records.h"

#include <fmt/format.h>

#include <stdexcept>

#include "protocol/reader.h"
#include "protocol/writer.h"

namespace gregor::coordinator {
namespace {

constexpr int16_t kFlexibleValueVersion = 4;

// Reads the primitive types of one value in the classic or the flexible (compact) encoding.
class ValueReader {
 public:
  ValueReader(Reader& r, bool flexible) : r_(r), flexible_(flexible) {}

  std::string string() { return flexible_ ? r_.read_compact_string() : r_.read_string(); }
  std::optional<std::string> nullable_string() {
    return flexible_ ? r_.read_compact_nullable_string() : r_.read_nullable_string();
  }
  std::vector<uint8_t> bytes() { return flexible_ ? r_.read_compact_bytes() : r_.read_bytes(); }
  int32_t array_length() {
    return flexible_ ? r_.read_compact_array_length(false) : r_.read_array_length(false);
  }
  void end_struct() {
    if (flexible_) r_.skip_tagged_fields();
  }

 private:
  Reader& r_;
  bool flexible_;
};

template <class T>
Result<T, std::string> finish(const Reader& r, T value, const char* what) {
  if (!r.ok()) return unexpected(fmt::format("malformed {}: {}", what, r.error()));
  // Trailing bytes would mean a newer layout we do not understand; Kafka ignores them too
  // (readers take the fields they know), so accept.
  return value;
}

}  // namespace

int16_t offset_commit_value_version(const OffsetCommitValue& value) {
  return value.expire_timestamp >= 0 ? 1 : 3;
}

std::vector<uint8_t> encode_offset_commit_key(const OffsetCommitKey& key) {
  Writer w;
  w.write_int16(kOffsetCommitKeyVersion);
  w.write_string(key.group);
  w.write_string(key.topic);
  w.write_int32(key.partition);
  return w.buffer();
}

std::vector<uint8_t> encode_offset_commit_value(const OffsetCommitValue& value, int16_t version) {
  if (version < 0 || version > 3) throw std::invalid_argument(fmt::format("OffsetCommitValue v{}", version));
  Writer w;
  w.write_int16(version);
  w.write_int64(value.offset);
  if (version >= 3) w.write_int32(value.leader_epoch);
  w.write_string(value.metadata);
  w.write_int64(value.commit_timestamp);
  if (version == 1) w.write_int64(value.expire_timestamp);
  return w.buffer();
}

std::vector<uint8_t> encode_group_metadata_key(const GroupMetadataKey& key) {
  Writer w;
  w.write_int16(kGroupMetadataKeyVersion);
  w.write_string(key.group);
  return w.buffer();
}

std::vector<uint8_t> encode_group_metadata_value(const GroupMetadataValue& value, int16_t version) {
  if (version < 0 || version > 3) throw std::invalid_argument(fmt::format("GroupMetadataValue v{}", version));
  Writer w;
  w.write_int16(version);
  w.write_string(value.protocol_type);
  w.write_int32(value.generation);
  w.write_nullable_string(value.protocol);
  w.write_nullable_string(value.leader);
  if (version >= 2) w.write_int64(value.current_state_timestamp);
  w.write_array_length(static_cast<int32_t>(value.members.size()));
  for (const auto& m : value.members) {
    w.write_string(m.member_id);
    if (version >= 3) w.write_nullable_string(m.group_instance_id);
    w.write_string(m.client_id);
    w.write_string(m.client_host);
    if (version >= 1) w.write_int32(m.rebalance_timeout);
    w.write_int32(m.session_timeout);
    w.write_bytes(m.subscription);
    w.write_bytes(m.assignment);
  }
  return w.buffer();
}

Result<RecordKey, std::string> decode_key(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  int16_t version = r.read_int16();
  if (!r.ok()) return unexpected(fmt::format("malformed key: {}", r.error()));
  // Each alternative is built in place: gcc 12 with sanitizers warns (falsely) on moving the variant.
  if (version == 0 || version == 1) {
    Result<RecordKey, std::string> out(tl::in_place, std::in_place_type<OffsetCommitKey>);
    auto& key = std::get<OffsetCommitKey>(*out);
    key.group = r.read_string();
    key.topic = r.read_string();
    key.partition = r.read_int32();
    if (!r.ok()) return unexpected(fmt::format("malformed OffsetCommitKey: {}", r.error()));
    return out;
  }
  if (version == 2) {
    Result<RecordKey, std::string> out(tl::in_place, std::in_place_type<GroupMetadataKey>);
    std::get<GroupMetadataKey>(*out).group = r.read_string();
    if (!r.ok()) return unexpected(fmt::format("malformed GroupMetadataKey: {}", r.error()));
    return out;
  }
  return Result<RecordKey, std::string>(tl::in_place, std::in_place_type<UnknownKey>, UnknownKey{version});
}

Result<OffsetCommitValue, std::string> decode_offset_commit_value(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  int16_t version = r.read_int16();
  if (!r.ok()) return unexpected(fmt::format("malformed OffsetCommitValue: {}", r.error()));
  if (version < 0 || version > kFlexibleValueVersion) {
    return unexpected(fmt::format("unknown OffsetCommitValue version {}", version));
  }
  ValueReader v(r, version >= kFlexibleValueVersion);
  OffsetCommitValue value;
  value.offset = r.read_int64();
  if (version >= 3) value.leader_epoch = r.read_int32();
  value.metadata = v.string();
  value.commit_timestamp = r.read_int64();
  if (version == 1) value.expire_timestamp = r.read_int64();
  v.end_struct();
  return finish(r, value, "OffsetCommitValue");
}

Result<GroupMetadataValue, std::string> decode_group_metadata_value(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  int16_t version = r.read_int16();
  if (!r.ok()) return unexpected(fmt::format("malformed GroupMetadataValue: {}", r.error()));
  if (version < 0 || version > kFlexibleValueVersion) {
    return unexpected(fmt::format("unknown GroupMetadataValue version {}", version));
  }
  ValueReader v(r, version >= kFlexibleValueVersion);
  GroupMetadataValue value;
  value.protocol_type = v.string();
  value.generation = r.read_int32();
  value.protocol = v.nullable_string();
  value.leader = v.nullable_string();
  if (version >= 2) value.current_state_timestamp = r.read_int64();
  int32_t count = v.array_length();
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    GroupMetadataValue::Member m;
    m.member_id = v.string();
    if (version >= 3) m.group_instance_id = v.nullable_string();
    m.client_id = v.string();
    m.client_host = v.string();
    if (version >= 1) m.rebalance_timeout = r.read_int32();
    m.session_timeout = r.read_int32();
    m.subscription = v.bytes();
    m.assignment = v.bytes();
    v.end_struct();
    value.members.push_back(std::move(m));
  }
  v.end_struct();
  return finish(r, value, "GroupMetadataValue");
}

}  // namespace gregor::coordinator
