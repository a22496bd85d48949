// Encoding and strict parsing of RecordBatch v2 records.
#include "protocol/record.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "protocol/varint.h"

namespace gregor {
namespace {

size_t nullable_bytes_size(std::optional<std::span<const uint8_t>> b) {
  if (!b) return varint::size_of(-1);
  return varint::size_of(static_cast<int32_t>(b->size())) + b->size();
}

uint8_t* write_varint(uint8_t* p, int32_t v) { return p + varint::write_unsigned(p, varint::zigzag32(v)); }

// Writes a VARINT length-prefixed byte field (-1 for null) at p; returns the end of what it wrote.
uint8_t* write_nullable_bytes(uint8_t* p, std::optional<std::span<const uint8_t>> b) {
  if (!b) return write_varint(p, -1);
  p = write_varint(p, static_cast<int32_t>(b->size()));
  if (!b->empty()) std::memcpy(p, b->data(), b->size());
  return p + b->size();
}

std::optional<std::span<const uint8_t>> header_value(const RecordHeader& h) {
  if (!h.value) return std::nullopt;
  return std::span<const uint8_t>(*h.value);
}

// Size of the record after its length field.
size_t body_size(int64_t timestamp_delta, int32_t offset_delta, std::optional<std::span<const uint8_t>> key,
                 std::optional<std::span<const uint8_t>> value, std::span<const RecordHeader> headers) {
  size_t n = 1 + varint::size_of_long(timestamp_delta) + varint::size_of(offset_delta) +
             nullable_bytes_size(key) + nullable_bytes_size(value) +
             varint::size_of(static_cast<int32_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    n += nullable_bytes_size(byte_view(h.key)) + nullable_bytes_size(header_value(h));
  }
  return n;
}

// Reads a VARINT length-prefixed byte field; -1 means null. `end` bounds the field to the record.
Result<std::optional<std::span<const uint8_t>>, std::string> read_nullable_bytes(std::span<const uint8_t> in,
                                                                                 size_t& pos, size_t end,
                                                                                 const char* what) {
  int32_t len;
  if (!varint::read(in.first(end), pos, len)) return unexpected(fmt::format("truncated {} length", what));
  if (len == -1) return std::optional<std::span<const uint8_t>>();
  if (len < 0) return unexpected(fmt::format("negative {} length {}", what, len));
  if (static_cast<size_t>(len) > end - pos) {
    return unexpected(fmt::format("{} length {} runs past the record", what, len));
  }
  auto field = in.subspan(pos, static_cast<size_t>(len));
  pos += static_cast<size_t>(len);
  return std::optional<std::span<const uint8_t>>(field);
}

}  // namespace

size_t encoded_record_size(int64_t timestamp_delta, int32_t offset_delta,
                           std::optional<std::span<const uint8_t>> key,
                           std::optional<std::span<const uint8_t>> value,
                           std::span<const RecordHeader> headers) {
  size_t body = body_size(timestamp_delta, offset_delta, key, value, headers);
  return varint::size_of(static_cast<int32_t>(body)) + body;
}

void encode_record(std::vector<uint8_t>& out, int64_t timestamp_delta, int32_t offset_delta,
                   std::optional<std::span<const uint8_t>> key, std::optional<std::span<const uint8_t>> value,
                   std::span<const RecordHeader> headers) {
  size_t body = body_size(timestamp_delta, offset_delta, key, value, headers);
  // Grow geometrically: reserve() to the exact size would reallocate (and copy the batch) per record.
  const size_t start = out.size();
  const size_t needed = start + varint::size_of(static_cast<int32_t>(body)) + body;
  if (out.capacity() < needed) out.reserve(std::max(needed, out.capacity() * 2));
  // Sized once, then written through a pointer: per-field vector inserts cost more than the bytes.
  out.resize(needed);
  uint8_t* p = out.data() + start;
  p = write_varint(p, static_cast<int32_t>(body));
  *p++ = 0;  // attributes: unused
  p += varint::write_unsigned(p, varint::zigzag64(timestamp_delta));
  p = write_varint(p, offset_delta);
  p = write_nullable_bytes(p, key);
  p = write_nullable_bytes(p, value);
  p = write_varint(p, static_cast<int32_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    p = write_nullable_bytes(p, byte_view(h.key));
    p = write_nullable_bytes(p, header_value(h));
  }
}

Result<void, std::string> parse_record(std::span<const uint8_t> in, size_t& pos, RecordView& out) {
  int32_t length;
  if (!varint::read(in, pos, length)) return unexpected(std::string("truncated record length"));
  if (length < 0) return unexpected(fmt::format("negative record length {}", length));
  if (static_cast<size_t>(length) > in.size() - pos) {
    return unexpected(fmt::format("record length {} exceeds the {} bytes left", length, in.size() - pos));
  }
  const size_t end = pos + static_cast<size_t>(length);
  auto body = in.first(end);
  if (pos == end) return unexpected(std::string("truncated record attributes"));
  out.attributes = static_cast<int8_t>(in[pos++]);
  if (!varint::read_long(body, pos, out.timestamp_delta))
    return unexpected(std::string("truncated timestamp delta"));
  if (!varint::read(body, pos, out.offset_delta)) return unexpected(std::string("truncated offset delta"));
  auto key = read_nullable_bytes(in, pos, end, "key");
  if (!key) return unexpected(std::move(key.error()));
  out.key = *key;
  auto value = read_nullable_bytes(in, pos, end, "value");
  if (!value) return unexpected(std::move(value.error()));
  out.value = *value;
  int32_t header_count;
  if (!varint::read(body, pos, header_count)) return unexpected(std::string("truncated header count"));
  if (header_count < 0) return unexpected(fmt::format("negative header count {}", header_count));
  out.headers.clear();
  for (int32_t i = 0; i < header_count; ++i) {
    auto hkey = read_nullable_bytes(in, pos, end, "header key");
    if (!hkey) return unexpected(std::move(hkey.error()));
    if (!*hkey) return unexpected(fmt::format("null header key in header {}", i));
    auto hvalue = read_nullable_bytes(in, pos, end, "header value");
    if (!hvalue) return unexpected(std::move(hvalue.error()));
    std::string_view key_text(reinterpret_cast<const char*>((*hkey)->data()), (*hkey)->size());
    out.headers.push_back(RecordHeaderView{key_text, *hvalue});
  }
  if (pos != end) {
    return unexpected(
        fmt::format("record declares {} bytes but its fields use {}", length, length - (end - pos)));
  }
  return {};
}

}  // namespace gregor
