// Writer: encodes Kafka wire primitives (see protocol.md §2) into a buffer plus file regions.
#include "protocol/writer.h"

#include <unistd.h>

#include <bit>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "protocol/endian.h"

namespace gregor {

void Writer::write_int8(int8_t v) { buffer_.push_back(static_cast<uint8_t>(v)); }

void Writer::write_int16(int16_t v) { write_uint16(static_cast<uint16_t>(v)); }

void Writer::write_uint16(uint16_t v) {
  uint8_t b[2];
  store_be16(b, v);
  buffer_.insert(buffer_.end(), b, b + 2);
}

void Writer::write_int32(int32_t v) { write_uint32(static_cast<uint32_t>(v)); }

void Writer::write_uint32(uint32_t v) {
  uint8_t b[4];
  store_be32(b, v);
  buffer_.insert(buffer_.end(), b, b + 4);
}

void Writer::write_int64(int64_t v) {
  uint8_t b[8];
  store_be64(b, static_cast<uint64_t>(v));
  buffer_.insert(buffer_.end(), b, b + 8);
}

void Writer::write_bool(bool v) { buffer_.push_back(v ? 1 : 0); }

void Writer::write_float64(double v) { write_int64(std::bit_cast<int64_t>(v)); }

void Writer::write_uuid(const Uuid& v) { buffer_.insert(buffer_.end(), v.bytes.begin(), v.bytes.end()); }

void Writer::write_unsigned_varint(uint32_t v) {
  while (v >= 0x80) {
    buffer_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  buffer_.push_back(static_cast<uint8_t>(v));
}

void Writer::write_varint(int32_t v) {
  write_unsigned_varint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

void Writer::write_varlong(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    buffer_.push_back(static_cast<uint8_t>(z | 0x80));
    z >>= 7;
  }
  buffer_.push_back(static_cast<uint8_t>(z));
}

static void check_string_length(std::string_view s) {
  if (s.size() > 32767) throw std::length_error("Kafka string longer than 32767 bytes");
}

static std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void Writer::write_string(std::string_view s) {
  check_string_length(s);
  write_int16(static_cast<int16_t>(s.size()));
  write_raw(as_bytes(s));
}

void Writer::write_nullable_string(const std::optional<std::string>& s) {
  if (!s) return write_int16(-1);
  write_string(*s);
}

void Writer::write_compact_string(std::string_view s) {
  check_string_length(s);
  write_unsigned_varint(static_cast<uint32_t>(s.size()) + 1);
  write_raw(as_bytes(s));
}

void Writer::write_compact_nullable_string(const std::optional<std::string>& s) {
  if (!s) return write_unsigned_varint(0);
  write_compact_string(*s);
}

void Writer::write_bytes(std::span<const uint8_t> b) {
  write_int32(static_cast<int32_t>(b.size()));
  write_raw(b);
}

void Writer::write_nullable_bytes(const std::optional<std::span<const uint8_t>>& b) {
  if (!b) return write_int32(-1);
  write_bytes(*b);
}

void Writer::write_compact_bytes(std::span<const uint8_t> b) {
  write_unsigned_varint(static_cast<uint32_t>(b.size()) + 1);
  write_raw(b);
}

void Writer::write_compact_nullable_bytes(const std::optional<std::span<const uint8_t>>& b) {
  if (!b) return write_unsigned_varint(0);
  write_compact_bytes(*b);
}

void Writer::write_array_length(int32_t count) { write_int32(count < 0 ? -1 : count); }

void Writer::write_compact_array_length(int32_t count) {
  write_unsigned_varint(count < 0 ? 0 : static_cast<uint32_t>(count) + 1);
}

void Writer::write_empty_tagged_fields() { write_unsigned_varint(0); }

void Writer::write_raw(std::span<const uint8_t> b) { buffer_.insert(buffer_.end(), b.begin(), b.end()); }

size_t Writer::reserve_i32() {
  size_t pos = buffer_.size();
  buffer_.resize(pos + 4);
  return pos;
}

void Writer::patch_i32(size_t pos, int32_t v) {
  if (pos + 4 > buffer_.size()) throw std::out_of_range("patch_i32 past the end of the buffer");
  store_be32(buffer_.data() + pos, static_cast<uint32_t>(v));
}

void Writer::append_file_region(FileRegion r) {
  if (r.length <= 0) return;  // nothing to send; keeps regions() free of empty entries
  region_bytes_ += r.length;
  regions_.emplace_back(buffer_.size(), std::move(r));
}

static void pread_fully(const FileRegion& r, uint8_t* out) {
  int64_t done = 0;
  while (done < r.length) {
    ssize_t n = ::pread(r.fd, out + done, static_cast<size_t>(r.length - done), r.offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "pread of a file region");
    if (n == 0) throw std::runtime_error("file region extends past the end of its file");
    done += n;
  }
}

std::vector<uint8_t> Writer::flatten() const {
  std::vector<uint8_t> out(static_cast<size_t>(size()));
  size_t buffer_pos = 0;
  size_t out_pos = 0;
  for (const auto& [at, region] : regions_) {
    std::copy(buffer_.begin() + buffer_pos, buffer_.begin() + at, out.begin() + out_pos);
    out_pos += at - buffer_pos;
    buffer_pos = at;
    pread_fully(region, out.data() + out_pos);
    out_pos += static_cast<size_t>(region.length);
  }
  std::copy(buffer_.begin() + buffer_pos, buffer_.end(), out.begin() + out_pos);
  return out;
}

}  // namespace gregor
