// ApiVersions handler: advertises exactly the APIs with a handler, and answers too-new versions Kafka's way.
#include <regex>

#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "protocol/messages/api_versions.h"

namespace gregor::broker {

void KafkaApis::answer_unsupported_api_versions(Request& req) {
  Writer w;
  encode_api_versions_fallback(w, req.header.correlation_id);
  req.responder.send(Response{w.buffer(), w.regions()});
}

void KafkaApis::handle_api_versions(Request& req, Reader& body) {
  auto request = decode_body<ApiVersionsRequest>(req, body);
  if (!request) return;
  ApiVersionsResponse resp;
  if (req.header.api_version >= 3) {
    // Kafka validates the v3 client software fields and answers INVALID_REQUEST otherwise.
    static const std::regex valid("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");
    if (!std::regex_match(request->client_software_name, valid) ||
        !std::regex_match(request->client_software_version, valid)) {
      resp.error_code = code(ErrorCode::INVALID_REQUEST);
      return req.respond(resp);
    }
  }
  for (auto& range : advertised_versions()) {
    resp.api_keys.push_back({static_cast<int16_t>(range.key), range.min_version, range.max_version});
  }
  req.respond(resp);
}

}  // namespace gregor::broker
