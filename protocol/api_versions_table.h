// The APIs and versions the codec implements: the single source for ApiVersions, dispatch and headers.
#pragma once

#include <cstdint>
#include <span>

#include "protocol/api_key.h"

namespace gregor {

struct ApiVersionRange {
  ApiKey key;
  int16_t min_version;  // advertised in ApiVersions
  int16_t max_version;
  int16_t first_flexible_version;  // compact encodings and tagged fields from here on
  // Lowest version a request is decoded at. Produce advertises 0 for old librdkafka's
  // compression check (KAFKA-18659) but, like Kafka 4, rejects v0-2 requests.
  int16_t min_served_version;
};

// Every implemented API in api key order (protocol.md §4.2).
std::span<const ApiVersionRange> api_versions_table();

// The entry for key, or nullptr if gregor does not implement it.
const ApiVersionRange* find_api(ApiKey key);

// True when requests of this key and version are decoded (inside the served range).
bool is_supported_request(ApiKey key, int16_t version);

// True when this version uses compact encodings and tagged fields.
bool is_flexible(ApiKey key, int16_t version);

// Request header version: 2 for flexible API versions, 1 otherwise.
int16_t request_header_version(ApiKey key, int16_t version);

// Response header version: 1 for flexible, 0 otherwise; always 0 for ApiVersions (KIP-511).
int16_t response_header_version(ApiKey key, int16_t version);

}  // namespace gregor
