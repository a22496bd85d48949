// ApiVersions (key 18) codec, the advertised table and the UNSUPPORTED_VERSION fallback.
#include "protocol/messages/api_versions.h"

#include "protocol/api_versions_table.h"
#include "protocol/error_code.h"
#include "protocol/request_header.h"
#include "protocol/serde.h"

namespace gregor {

GREGOR_MESSAGE_CODEC(ApiVersionsRequest, ApiKey::ApiVersions)
GREGOR_MESSAGE_CODEC(ApiVersionsResponse, ApiKey::ApiVersions)

ApiVersionsResponse ApiVersionsResponse::from_table() {
  ApiVersionsResponse response;
  for (const ApiVersionRange& api : api_versions_table()) {
    response.api_keys.push_back({static_cast<int16_t>(api.key), api.min_version, api.max_version});
  }
  return response;
}

void encode_api_versions_fallback(Writer& writer, int32_t correlation_id) {
  const ApiVersionRange* own = find_api(ApiKey::ApiVersions);
  ApiVersionsResponse response;
  response.error_code = static_cast<int16_t>(ErrorCode::UNSUPPORTED_VERSION);
  response.api_keys.push_back(
      {static_cast<int16_t>(ApiKey::ApiVersions), own->min_version, own->max_version});
  encode_response_header(writer, correlation_id, 0);
  response.encode(writer, 0);
}

}  // namespace gregor
