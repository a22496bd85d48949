// SyncGroup (key 14): the leader distributes assignments; members receive theirs (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct SyncGroupRequest {
  struct SyncGroupRequestAssignment {
    std::string member_id;
    std::vector<uint8_t> assignment;

    template <class Io>
    void serde(Io& io) {
      io.field(member_id);
      io.field(assignment);
    }
    bool operator==(const SyncGroupRequestAssignment&) const = default;
  };

  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<SyncGroupRequestAssignment> assignments;

  template <class Io>
  void serde(Io& io) {
    io.field(group_id);
    io.field(generation_id);
    io.field(member_id);
    io.field(group_instance_id, 3);
    io.field(assignments);
  }
  GREGOR_MESSAGE_API(SyncGroupRequest, ApiKey::SyncGroup);
};

struct SyncGroupResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<uint8_t> assignment;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 1);
    io.field(error_code);
    io.field(assignment);
  }
  GREGOR_MESSAGE_API(SyncGroupResponse, ApiKey::SyncGroup);
};

}  // namespace gregor
