// Heartbeat (key 12): a group member is alive; learn about rebalances (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct HeartbeatRequest {
  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;

  template <class Io>
  void serde(Io& io) {
    io.field(group_id);
    io.field(generation_id);
    io.field(member_id);
    io.field(group_instance_id, 3);
  }
  GREGOR_MESSAGE_API(HeartbeatRequest, ApiKey::Heartbeat);
};

struct HeartbeatResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 1);
    io.field(error_code);
  }
  GREGOR_MESSAGE_API(HeartbeatResponse, ApiKey::Heartbeat);
};

}  // namespace gregor
