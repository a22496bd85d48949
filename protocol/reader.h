// Reader: bounds-checked decoding of Kafka wire primitives from a byte span, with sticky errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/uuid.h"

namespace gregor {

// Every read checks the remaining bytes first; after the first failure all reads return
// zero values and ok() stays false, so decoders can read a whole struct and check once.
class Reader {
 public:
  static constexpr int32_t kMaxStringLength = 32767;

  explicit Reader(std::span<const uint8_t> data) : data_(data) {}
  // A reader over a mutable buffer can hand out mutable sub-spans (Produce records are
  // rewritten in place by the broker before they are appended to the log).
  explicit Reader(std::span<uint8_t> data) : data_(data), mutable_data_(data.data()) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Records the first failure only; later ones are consequences of it.
  void fail(std::string message);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool is_mutable() const { return mutable_data_ != nullptr; }

  int8_t read_int8();
  int16_t read_int16();
  int32_t read_int32();
  int64_t read_int64();
  uint16_t read_uint16();
  uint32_t read_uint32();
  bool read_bool();
  double read_float64();
  Uuid read_uuid();

  uint32_t read_unsigned_varint();
  int32_t read_varint();
  int64_t read_varlong();

  std::string read_string();
  std::optional<std::string> read_nullable_string();
  std::string read_compact_string();
  std::optional<std::string> read_compact_nullable_string();

  std::vector<uint8_t> read_bytes();
  std::optional<std::vector<uint8_t>> read_nullable_bytes();
  std::vector<uint8_t> read_compact_bytes();
  std::optional<std::vector<uint8_t>> read_compact_nullable_bytes();

  // Raw views of the next n bytes, without copying.
  std::span<const uint8_t> read_raw(size_t n);
  std::span<uint8_t> read_raw_mutable(size_t n);

  // Array element counts: -1 means null (only accepted when nullable). The count is
  // checked against the remaining bytes (every element takes at least one byte).
  int32_t read_array_length(bool nullable);
  int32_t read_compact_array_length(bool nullable);
  // Byte lengths (BYTES / NULLABLE_BYTES and compact forms): -1 means null.
  int32_t read_bytes_length(bool nullable);
  int32_t read_compact_bytes_length(bool nullable);

  // Skips a tagged-field section: count, then (tag, size, bytes) with increasing tags.
  void skip_tagged_fields();

 private:
  bool need(size_t n);
  int32_t checked_length(int64_t length, bool nullable, const char* what);
  std::string read_string_body(int32_t length);

  std::span<const uint8_t> data_;
  uint8_t* mutable_data_ = nullptr;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace gregor
