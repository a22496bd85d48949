// Kafka request and response headers (protocol.md §1.1, §1.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/api_key.h"
#include "protocol/reader.h"
#include "protocol/result.h"
#include "protocol/writer.h"

namespace gregor {

struct RequestHeader {
  ApiKey api_key{};  // may hold a value outside the enum for unknown APIs
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  // False for unknown keys and versions outside the served range: only the fixed part
  // (and client_id if it parsed) is filled in and the reader may sit before the body.
  bool is_supported = true;
};

// Reads the 8 fixed bytes, then client_id (classic nullable string, even in header v2), then
// the tagged section for header v2. Fails only when the fixed part or, for a supported
// request, the rest of the header is malformed.
Result<RequestHeader, std::string> decode_request_header(Reader& reader);

// Writes a request header of the version the key/version pair needs (client side).
void encode_request_header(Writer& writer, const RequestHeader& header);

// Writes a response header of version 0 (correlation id) or 1 (plus empty tagged fields).
void encode_response_header(Writer& writer, int32_t correlation_id, int16_t header_version);

// Reads a response header of the given version; returns the correlation id (client side).
Result<int32_t, std::string> decode_response_header(Reader& reader, int16_t header_version);

}  // namespace gregor
