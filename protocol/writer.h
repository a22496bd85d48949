// Writer: encodes Kafka wire primitives into a byte buffer plus file regions sent later by sendfile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/file_region.h"
#include "protocol/uuid.h"

namespace gregor {

// The message is buffer() with each region i inserted "virtually" right after buffer byte
// regions()[i].first. Only the sender (or flatten(), for tests and clients) reads the files.
class Writer {
 public:
  void write_int8(int8_t v);
  void write_int16(int16_t v);
  void write_int32(int32_t v);
  void write_int64(int64_t v);
  void write_uint16(uint16_t v);
  void write_uint32(uint32_t v);
  void write_bool(bool v);
  void write_float64(double v);
  void write_uuid(const Uuid& v);

  void write_unsigned_varint(uint32_t v);
  void write_varint(int32_t v);
  void write_varlong(int64_t v);

  // Strings longer than 32767 bytes are a caller bug (Kafka cannot represent them).
  void write_string(std::string_view s);
  void write_nullable_string(const std::optional<std::string>& s);
  void write_compact_string(std::string_view s);
  void write_compact_nullable_string(const std::optional<std::string>& s);

  void write_bytes(std::span<const uint8_t> b);
  void write_nullable_bytes(const std::optional<std::span<const uint8_t>>& b);
  void write_compact_bytes(std::span<const uint8_t> b);
  void write_compact_nullable_bytes(const std::optional<std::span<const uint8_t>>& b);

  // Array counts; -1 writes null.
  void write_array_length(int32_t count);
  void write_compact_array_length(int32_t count);
  // An empty tagged-field section.
  void write_empty_tagged_fields();

  void write_raw(std::span<const uint8_t> b);

  // Placeholder for an int32 known later (frame size, nested lengths).
  size_t reserve_i32();
  void patch_i32(size_t pos, int32_t v);

  // Appends r.length bytes of a file without reading them.
  void append_file_region(FileRegion r);

  // Buffer bytes plus the length of all regions.
  int64_t size() const { return static_cast<int64_t>(buffer_.size()) + region_bytes_; }
  const std::vector<uint8_t>& buffer() const { return buffer_; }
  const std::vector<std::pair<size_t, FileRegion>>& regions() const { return regions_; }

  // The whole message as bytes, reading regions with pread. For tests and clients, never the
  // broker's hot path; an unreadable region throws std::system_error (the caller built it).
  std::vector<uint8_t> flatten() const;

 private:
  std::vector<uint8_t> buffer_;
  std::vector<std::pair<size_t, FileRegion>> regions_;
  int64_t region_bytes_ = 0;
};

}  // namespace gregor
