// One record of a RecordBatch v2 (spec/protocol.md §6.2): owned and view forms, encoder and parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"

namespace gregor {

// A record header: the key is a non-null UTF-8 string, the value may be null.
struct RecordHeader {
  std::string key;
  std::optional<std::vector<uint8_t>> value;
  bool operator==(const RecordHeader&) const = default;
};

// A decoded record with its absolute offset and timestamp. A null value is a tombstone.
struct Record {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::vector<uint8_t>> key;
  std::optional<std::vector<uint8_t>> value;
  std::vector<RecordHeader> headers;
  bool operator==(const Record&) const = default;
};

// Views into the (decompressed) records area; valid while that buffer lives.
struct RecordHeaderView {
  std::string_view key;
  std::optional<std::span<const uint8_t>> value;
};
struct RecordView {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
  std::vector<RecordHeaderView> headers;
};

// The bytes of a string, for keys and values given as text.
inline std::span<const uint8_t> byte_view(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Smallest possible record: length, attributes, timestamp delta, offset delta, key, value, header count.
inline constexpr size_t kMinRecordSize = 7;

// Encoded size of a record, including its leading length varint.
size_t encoded_record_size(int64_t timestamp_delta, int32_t offset_delta,
                           std::optional<std::span<const uint8_t>> key,
                           std::optional<std::span<const uint8_t>> value,
                           std::span<const RecordHeader> headers);

// Appends one record in Kafka's layout (DefaultRecord.writeTo).
void encode_record(std::vector<uint8_t>& out, int64_t timestamp_delta, int32_t offset_delta,
                   std::optional<std::span<const uint8_t>> key, std::optional<std::span<const uint8_t>> value,
                   std::span<const RecordHeader> headers);

// Parses the record at in[pos] into out (reusing out.headers' capacity) and advances pos past it. Fails
// when a length is negative or runs past the record, or the record's fields do not fill its declared length
// exactly (DefaultRecord.readFrom).
Result<void, std::string> parse_record(std::span<const uint8_t> in, size_t& pos, RecordView& out);

}  // namespace gregor
