// Shared includes and declaration macro for the per-API message structs in protocol/messages/.
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/reader.h"
#include "protocol/records_payload.h"
#include "protocol/result.h"
#include "protocol/uuid.h"
#include "protocol/writer.h"

// Declares the codec entry points of a top-level message struct T of API `key`:
// decode() reads a body at `version` (fails on malformed input or an unsupported version),
// encode() writes one (an unsupported version is a caller bug and throws).
// The definitions come from GREGOR_MESSAGE_CODEC in the .cc (protocol/serde.h).
#define GREGOR_MESSAGE_API(T, key)                                                           \
  static constexpr ::gregor::ApiKey kApiKey = key;                                           \
  static ::gregor::Result<T, std::string> decode(::gregor::Reader& reader, int16_t version); \
  void encode(::gregor::Writer& writer, int16_t version) const;                              \
  bool operator==(const T&) const = default
