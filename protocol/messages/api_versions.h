// ApiVersions (key 18): version negotiation, including the UNSUPPORTED_VERSION fallback (protocol.md §3).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct ApiVersionsRequest {
  std::string client_software_name;
  std::string client_software_version;

  template <class Io>
  void serde(Io& io) {
    io.field(client_software_name, 3);
    io.field(client_software_version, 3);
  }
  GREGOR_MESSAGE_API(ApiVersionsRequest, ApiKey::ApiVersions);
};

// The response header is always v0 (response_header_version() knows). The v3+ feature tags
// are skipped when read and never written: gregor finalizes no features.
struct ApiVersionsResponse {
  struct ApiVersion {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(api_key);
      io.field(min_version);
      io.field(max_version);
    }
    bool operator==(const ApiVersion&) const = default;
  };

  int16_t error_code = 0;
  std::vector<ApiVersion> api_keys;
  int32_t throttle_time_ms = 0;

  template <class Io>
  void serde(Io& io) {
    io.field(error_code);
    io.field(api_keys);
    io.field(throttle_time_ms, 1);
  }

  // A successful response listing every API of api_versions_table().
  static ApiVersionsResponse from_table();

  GREGOR_MESSAGE_API(ApiVersionsResponse, ApiKey::ApiVersions);
};

// Writes a whole response (header v0 + ApiVersions v0 body) for an ApiVersions request whose
// version is too new: UNSUPPORTED_VERSION carrying only key 18's range, so the client retries
// at a version we speak on the same connection (protocol.md §3.3). No frame size prefix.
void encode_api_versions_fallback(Writer& writer, int32_t correlation_id);

}  // namespace gregor
