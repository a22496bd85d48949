// FindCoordinator (key 10): which broker coordinates a group (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct FindCoordinatorRequest {
  std::string key;
  int8_t key_type = 0;  // 0 group, 1 transaction

  template <class Io>
  void serde(Io& io) {
    io.field(key, 0, 3);
    io.field(key_type, 1);
  }
  GREGOR_MESSAGE_API(FindCoordinatorRequest, ApiKey::FindCoordinator);
};

struct FindCoordinatorResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 1);
    io.field(error_code, 0, 3);
    io.field(error_message, 1, 3);
    io.field(node_id, 0, 3);
    io.field(host, 0, 3);
    io.field(port, 0, 3);
  }
  GREGOR_MESSAGE_API(FindCoordinatorResponse, ApiKey::FindCoordinator);
};

}  // namespace gregor
