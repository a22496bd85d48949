// Request: one decoded request header plus its frame and the way to answer it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/network/connection.h"
#include "protocol/api_versions_table.h"
#include "protocol/request_header.h"
#include "protocol/writer.h"

namespace gregor::broker {

struct Request {
  RequestHeader header;
  std::vector<uint8_t> frame;  // owns the bytes that body views (Produce records) point into
  size_t body_offset = 0;
  std::string peer_host;       // client address, for DescribeGroups client_host ("/" + host)
  std::string listener_name;   // the listener the request arrived on (Metadata answers with its endpoints)
  Responder responder;

  std::span<uint8_t> body() { return std::span<uint8_t>(frame).subspan(body_offset); }
  const std::string& client_id() const {
    static const std::string empty;
    return header.client_id ? *header.client_id : empty;
  }

  // Everything needed to answer later, after the frame is gone (delayed fetch, ZooKeeper round trips).
  struct ReplyTo {
    ApiKey api_key;
    int16_t api_version;
    int32_t correlation_id;
    Responder responder;

    // Encodes the response header (version from the API table) and body, and sends them.
    template <class Message>
    void respond(const Message& message) const {
      Writer w;
      encode_response_header(w, correlation_id, response_header_version(api_key, api_version));
      message.encode(w, api_version);
      responder.send(Response{w.buffer(), w.regions()});
    }
  };
  ReplyTo reply_to() const { return ReplyTo{header.api_key, header.api_version, header.correlation_id, responder}; }

  template <class Message>
  void respond(const Message& message) const {
    reply_to().respond(message);
  }
};

}  // namespace gregor::broker
