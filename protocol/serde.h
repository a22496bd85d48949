// Field visitors that turn one per-message field declaration into both the decoder and the encoder.
#pragma once

#include <fmt/format.h>

#include <climits>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/api_versions_table.h"
#include "protocol/reader.h"
#include "protocol/records_payload.h"
#include "protocol/result.h"
#include "protocol/uuid.h"
#include "protocol/writer.h"

// Each message struct declares its fields once, in wire order, with the versions they exist in:
//
//   template <class Io> void serde(Io& io) {
//     io.field(transactional_id, 3);   // v3+
//     io.field(acks);                  // all versions
//     io.field(retention_time_ms, 2, 4);
//   }
//
// Decoder reads present fields and leaves absent ones at their (schema default) initial
// values; Encoder writes present fields. Flexible versions switch every string, bytes and
// array to its compact form and end every struct with a tagged-field section (written empty,
// skipped when read: gregor uses no tagged fields in the versions it serves).
namespace gregor::serde {

inline constexpr int16_t kMax = INT16_MAX;

template <class T, class Io>
concept Struct = requires(T& t, Io& io) {
  t.serde(io);
};

class Decoder {
 public:
  Decoder(Reader& reader, int16_t version, bool flexible)
      : r_(reader), version_(version), flexible_(flexible) {}

  int16_t version() const { return version_; }
  bool flexible() const { return flexible_; }
  bool has(int16_t min, int16_t max) const { return version_ >= min && version_ <= max; }

  void field(int8_t& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = r_.read_int8();
  }
  void field(int16_t& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = r_.read_int16();
  }
  void field(int32_t& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = r_.read_int32();
  }
  void field(int64_t& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = r_.read_int64();
  }
  void field(bool& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = r_.read_bool();
  }
  void field(Uuid& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = r_.read_uuid();
  }
  void field(std::string& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = flexible_ ? r_.read_compact_string() : r_.read_string();
  }
  // nullable_min: first version in which null is allowed (earlier versions reject it).
  void field(std::optional<std::string>& x, int16_t min = 0, int16_t max = kMax, int16_t nullable_min = 0) {
    if (!has(min, max)) return;
    if (version_ < nullable_min) {
      x = flexible_ ? r_.read_compact_string() : r_.read_string();
    } else {
      x = flexible_ ? r_.read_compact_nullable_string() : r_.read_nullable_string();
    }
  }
  void field(std::vector<uint8_t>& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = flexible_ ? r_.read_compact_bytes() : r_.read_bytes();
  }
  void field(std::optional<std::vector<uint8_t>>& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) x = flexible_ ? r_.read_compact_nullable_bytes() : r_.read_nullable_bytes();
  }
  // Produce records: a view into the (mutable) request buffer, never a copy.
  void field(std::optional<std::span<uint8_t>>& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    int32_t length = flexible_ ? r_.read_compact_bytes_length(true) : r_.read_bytes_length(true);
    if (length < 0 || !r_.ok()) {
      x = std::nullopt;
      return;
    }
    x = r_.read_raw_mutable(static_cast<size_t>(length));
  }
  // Fetch records: clients decode bytes.
  void field(RecordsPayload& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    auto bytes = flexible_ ? r_.read_compact_nullable_bytes() : r_.read_nullable_bytes();
    x = bytes ? std::move(*bytes) : std::vector<uint8_t>{};
  }
  template <class T>
  void field(std::vector<T>& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    int32_t count = flexible_ ? r_.read_compact_array_length(false) : r_.read_array_length(false);
    read_elements(x, count);
  }
  template <class T>
  void field(std::optional<std::vector<T>>& x, int16_t min = 0, int16_t max = kMax,
             int16_t nullable_min = 0) {
    if (!has(min, max)) return;
    bool nullable = version_ >= nullable_min;
    int32_t count = flexible_ ? r_.read_compact_array_length(nullable) : r_.read_array_length(nullable);
    if (count < 0 || !r_.ok()) {
      x = std::nullopt;
      return;
    }
    x.emplace();
    read_elements(*x, count);
  }

  // End of a struct: the tagged-field section of flexible versions.
  void tagged_fields() {
    if (flexible_) r_.skip_tagged_fields();
  }

  Reader& reader() { return r_; }

 private:
  template <class T>
  void read_elements(std::vector<T>& x, int32_t count) {
    // count was checked against the remaining bytes; no reserve, so a lying count costs
    // nothing before the reader runs dry.
    for (int32_t i = 0; i < count && r_.ok(); ++i) {
      T& element = x.emplace_back();
      if constexpr (Struct<T, Decoder>) {
        element.serde(*this);
        tagged_fields();
      } else {
        field(element);
      }
    }
  }

  Reader& r_;
  int16_t version_;
  bool flexible_;
};

class Encoder {
 public:
  Encoder(Writer& writer, int16_t version, bool flexible)
      : w_(writer), version_(version), flexible_(flexible) {}

  int16_t version() const { return version_; }
  bool flexible() const { return flexible_; }
  bool has(int16_t min, int16_t max) const { return version_ >= min && version_ <= max; }

  void field(int8_t& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) w_.write_int8(x);
  }
  void field(int16_t& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) w_.write_int16(x);
  }
  void field(int32_t& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) w_.write_int32(x);
  }
  void field(int64_t& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) w_.write_int64(x);
  }
  void field(bool& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) w_.write_bool(x);
  }
  void field(Uuid& x, int16_t min = 0, int16_t max = kMax) {
    if (has(min, max)) w_.write_uuid(x);
  }
  void field(std::string& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    flexible_ ? w_.write_compact_string(x) : w_.write_string(x);
  }
  void field(std::optional<std::string>& x, int16_t min = 0, int16_t max = kMax, int16_t nullable_min = 0) {
    if (!has(min, max)) return;
    if (!x && version_ < nullable_min) {
      throw std::invalid_argument(fmt::format("null string in version {} which has no null", version_));
    }
    flexible_ ? w_.write_compact_nullable_string(x) : w_.write_nullable_string(x);
  }
  void field(std::vector<uint8_t>& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    flexible_ ? w_.write_compact_bytes(x) : w_.write_bytes(x);
  }
  void field(std::optional<std::vector<uint8_t>>& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    std::optional<std::span<const uint8_t>> view;
    if (x) view = std::span<const uint8_t>(*x);
    flexible_ ? w_.write_compact_nullable_bytes(view) : w_.write_nullable_bytes(view);
  }
  void field(std::optional<std::span<uint8_t>>& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    std::optional<std::span<const uint8_t>> view;
    if (x) view = std::span<const uint8_t>(*x);
    flexible_ ? w_.write_compact_nullable_bytes(view) : w_.write_nullable_bytes(view);
  }
  // Fetch records: bytes are copied, file regions are appended for sendfile.
  void field(RecordsPayload& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    if (auto* bytes = std::get_if<std::vector<uint8_t>>(&x)) return field(*bytes, min, max);
    int64_t total = records_size(x);
    if (total > INT32_MAX) throw std::length_error("fetch records longer than INT32_MAX");
    if (flexible_) {
      w_.write_unsigned_varint(static_cast<uint32_t>(total) + 1);
    } else {
      w_.write_int32(static_cast<int32_t>(total));
    }
    for (const FileRegion& region : std::get<std::vector<FileRegion>>(x)) w_.append_file_region(region);
  }
  template <class T>
  void field(std::vector<T>& x, int16_t min = 0, int16_t max = kMax) {
    if (!has(min, max)) return;
    write_length(static_cast<int32_t>(x.size()));
    write_elements(x);
  }
  // Null in a version without null arrays is written as empty (Metadata v0: empty = all).
  template <class T>
  void field(std::optional<std::vector<T>>& x, int16_t min = 0, int16_t max = kMax,
             int16_t nullable_min = 0) {
    if (!has(min, max)) return;
    if (!x) return write_length(version_ < nullable_min ? 0 : -1);
    write_length(static_cast<int32_t>(x->size()));
    write_elements(*x);
  }

  void tagged_fields() {
    if (flexible_) w_.write_empty_tagged_fields();
  }

  Writer& writer() { return w_; }

 private:
  void write_length(int32_t count) {
    flexible_ ? w_.write_compact_array_length(count) : w_.write_array_length(count);
  }
  template <class T>
  void write_elements(std::vector<T>& x) {
    for (T& element : x) {
      if constexpr (Struct<T, Encoder>) {
        element.serde(*this);
        tagged_fields();
      } else {
        field(element);
      }
    }
  }

  Writer& w_;
  int16_t version_;
  bool flexible_;
};

// Versions a message type can be encoded and decoded at: the advertised range.
inline bool codec_supports(ApiKey key, int16_t version) {
  const ApiVersionRange* api = find_api(key);
  return api != nullptr && version >= api->min_version && version <= api->max_version;
}

template <class T>
Result<T, std::string> decode_message(Reader& reader, int16_t version, ApiKey key, const char* name) {
  if (!codec_supports(key, version))
    return unexpected(fmt::format("{} v{}: unsupported version", name, version));
  T message;
  Decoder decoder(reader, version, is_flexible(key, version));
  message.serde(decoder);
  decoder.tagged_fields();
  if (!reader.ok()) return unexpected(fmt::format("{} v{}: {}", name, version, reader.error()));
  return message;
}

// Encoding an unsupported version is a caller bug.
template <class T>
void encode_message(const T& message, Writer& writer, int16_t version, ApiKey key, const char* name) {
  if (!codec_supports(key, version)) {
    throw std::invalid_argument(fmt::format("{} v{}: unsupported version", name, version));
  }
  Encoder encoder(writer, version, is_flexible(key, version));
  // serde() is shared with the decoder, so it takes non-const fields; the Encoder only reads.
  const_cast<T&>(message).serde(encoder);
  encoder.tagged_fields();
}

}  // namespace gregor::serde

// Defines T::decode and T::encode for a message struct of API `key`.
#define GREGOR_MESSAGE_CODEC(T, key)                                                      \
  ::gregor::Result<T, std::string> T::decode(::gregor::Reader& reader, int16_t version) { \
    return ::gregor::serde::decode_message<T>(reader, version, key, #T);                  \
  }                                                                                       \
  void T::encode(::gregor::Writer& writer, int16_t version) const {                       \
    ::gregor::serde::encode_message(*this, writer, version, key, #T);                     \
  }
