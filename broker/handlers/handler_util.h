// Helpers shared by the API handlers: body decoding that drops malformed clients, topic-partition keys.
#pragma once

#include <optional>

#include "broker/logging.h"
#include "broker/request.h"
#include "protocol/error_code.h"

namespace gregor::broker {

// Decodes the request body; a malformed body closes the connection (as Kafka does) and yields nullopt.
template <class Message>
std::optional<Message> decode_body(Request& req, Reader& body) {
  auto m = Message::decode(body, req.header.api_version);
  if (!m) {
    logger("net")->warn("malformed {} v{} request from {} (client_id '{}'): {}; closing",
                        to_string(req.header.api_key), req.header.api_version, req.peer_host, req.client_id(),
                        m.error());
    req.responder.close_connection("malformed request body");
    return std::nullopt;
  }
  return std::move(*m);
}

inline int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

}  // namespace gregor::broker
