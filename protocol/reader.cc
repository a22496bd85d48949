// Reader: bounds-checked decoding of Kafka wire primitives (see protocol.md §2).
#include "protocol/reader.h"

#include <fmt/format.h>

#include <bit>
#include <climits>
#include <cstring>

#include "protocol/endian.h"

namespace gregor {

void Reader::fail(std::string message) {
  if (error_.empty()) error_ = fmt::format("{} at byte {}", message, pos_);
  pos_ = data_.size();  // nothing more can be read after a failure
}

bool Reader::need(size_t n) {
  if (!ok()) return false;
  if (remaining() < n) {
    fail(fmt::format("need {} bytes, {} left", n, remaining()));
    return false;
  }
  return true;
}

int8_t Reader::read_int8() {
  if (!need(1)) return 0;
  return static_cast<int8_t>(data_[pos_++]);
}

int16_t Reader::read_int16() { return static_cast<int16_t>(read_uint16()); }

uint16_t Reader::read_uint16() {
  if (!need(2)) return 0;
  uint16_t v = load_be16(data_.data() + pos_);
  pos_ += 2;
  return v;
}

int32_t Reader::read_int32() { return static_cast<int32_t>(read_uint32()); }

uint32_t Reader::read_uint32() {
  if (!need(4)) return 0;
  uint32_t v = load_be32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

int64_t Reader::read_int64() {
  if (!need(8)) return 0;
  uint64_t v = load_be64(data_.data() + pos_);
  pos_ += 8;
  return static_cast<int64_t>(v);
}

bool Reader::read_bool() { return read_int8() != 0; }

double Reader::read_float64() { return std::bit_cast<double>(read_int64()); }

Uuid Reader::read_uuid() {
  Uuid u;
  if (!need(16)) return u;
  std::memcpy(u.bytes.data(), data_.data() + pos_, 16);
  pos_ += 16;
  return u;
}

uint32_t Reader::read_unsigned_varint() {
  uint32_t value = 0;
  for (int i = 0; i < 5; ++i) {
    if (!need(1)) return 0;
    uint8_t b = data_[pos_++];
    // The fifth byte may carry only the top 4 bits of a 32-bit value.
    if (i == 4 && (b & 0xf0) != 0) {
      fail("unsigned varint overflows 32 bits");
      return 0;
    }
    value |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return value;
  }
  return value;  // unreachable: the fifth byte has no continuation bit
}

int32_t Reader::read_varint() {
  uint32_t raw = read_unsigned_varint();
  return static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

int64_t Reader::read_varlong() {
  uint64_t raw = 0;
  for (int i = 0; i < 10; ++i) {
    if (!need(1)) return 0;
    uint8_t b = data_[pos_++];
    if (i == 9 && (b & 0xfe) != 0) {
      fail("varlong overflows 64 bits");
      return 0;
    }
    raw |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) break;
  }
  return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

int32_t Reader::checked_length(int64_t length, bool nullable, const char* what) {
  if (!ok()) return nullable ? -1 : 0;
  if (length < 0) {
    if (length == -1 && nullable) return -1;
    fail(fmt::format("invalid {} length {}", what, length));
    return 0;
  }
  if (length > INT32_MAX || static_cast<uint64_t>(length) > remaining()) {
    fail(fmt::format("{} length {} exceeds the {} bytes left", what, length, remaining()));
    return 0;
  }
  return static_cast<int32_t>(length);
}

std::string Reader::read_string_body(int32_t length) {
  if (length > kMaxStringLength) {
    fail(fmt::format("string length {} exceeds {}", length, kMaxStringLength));
    return {};
  }
  auto raw = read_raw(static_cast<size_t>(length));
  return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

std::string Reader::read_string() {
  int32_t length = checked_length(read_int16(), false, "string");
  return read_string_body(length);
}

std::optional<std::string> Reader::read_nullable_string() {
  int32_t length = checked_length(read_int16(), true, "string");
  if (length < 0 || !ok()) return std::nullopt;
  return read_string_body(length);
}

std::string Reader::read_compact_string() {
  int64_t length = static_cast<int64_t>(read_unsigned_varint()) - 1;
  return read_string_body(checked_length(length, false, "compact string"));
}

std::optional<std::string> Reader::read_compact_nullable_string() {
  int64_t length = static_cast<int64_t>(read_unsigned_varint()) - 1;
  int32_t checked = checked_length(length, true, "compact string");
  if (checked < 0 || !ok()) return std::nullopt;
  return read_string_body(checked);
}

int32_t Reader::read_bytes_length(bool nullable) { return checked_length(read_int32(), nullable, "bytes"); }

int32_t Reader::read_compact_bytes_length(bool nullable) {
  return checked_length(static_cast<int64_t>(read_unsigned_varint()) - 1, nullable, "compact bytes");
}

static std::vector<uint8_t> to_vector(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> Reader::read_bytes() { return to_vector(read_raw(read_bytes_length(false))); }

std::optional<std::vector<uint8_t>> Reader::read_nullable_bytes() {
  int32_t length = read_bytes_length(true);
  if (length < 0 || !ok()) return std::nullopt;
  return to_vector(read_raw(length));
}

std::vector<uint8_t> Reader::read_compact_bytes() {
  return to_vector(read_raw(read_compact_bytes_length(false)));
}

std::optional<std::vector<uint8_t>> Reader::read_compact_nullable_bytes() {
  int32_t length = read_compact_bytes_length(true);
  if (length < 0 || !ok()) return std::nullopt;
  return to_vector(read_raw(length));
}

std::span<const uint8_t> Reader::read_raw(size_t n) {
  if (!need(n)) return {};
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::span<uint8_t> Reader::read_raw_mutable(size_t n) {
  if (!is_mutable()) {
    fail("mutable bytes requested from a read-only buffer");
    return {};
  }
  if (!need(n)) return {};
  std::span<uint8_t> out(mutable_data_ + pos_, n);
  pos_ += n;
  return out;
}

int32_t Reader::read_array_length(bool nullable) { return checked_length(read_int32(), nullable, "array"); }

int32_t Reader::read_compact_array_length(bool nullable) {
  return checked_length(static_cast<int64_t>(read_unsigned_varint()) - 1, nullable, "compact array");
}

void Reader::skip_tagged_fields() {
  uint32_t count = read_unsigned_varint();
  int64_t previous_tag = -1;
  for (uint32_t i = 0; i < count && ok(); ++i) {
    uint32_t tag = read_unsigned_varint();
    if (ok() && static_cast<int64_t>(tag) <= previous_tag) {
      fail(fmt::format("tagged field {} out of order", tag));
      return;
    }
    previous_tag = tag;
    int32_t size = checked_length(read_unsigned_varint(), false, "tagged field");
    read_raw(static_cast<size_t>(size));
  }
}

}  // namespace gregor
