// LeaveGroup (key 13): members leave a group (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct LeaveGroupRequest {
  struct MemberIdentity {
    std::string member_id;
    std::optional<std::string> group_instance_id;

    template <class Io>
    void serde(Io& io) {
      io.field(member_id, 3);
      io.field(group_instance_id, 3);
    }
    bool operator==(const MemberIdentity&) const = default;
  };

  std::string group_id;
  std::string member_id;                // v0-2
  std::vector<MemberIdentity> members;  // v3+

  template <class Io>
  void serde(Io& io) {
    io.field(group_id);
    io.field(member_id, 0, 2);
    io.field(members, 3);
  }
  GREGOR_MESSAGE_API(LeaveGroupRequest, ApiKey::LeaveGroup);
};

struct LeaveGroupResponse {
  struct MemberResponse {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    int16_t error_code = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(member_id, 3);
      io.field(group_instance_id, 3);
      io.field(error_code, 3);
    }
    bool operator==(const MemberResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<MemberResponse> members;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 1);
    io.field(error_code);
    io.field(members, 3);
  }
  GREGOR_MESSAGE_API(LeaveGroupResponse, ApiKey::LeaveGroup);
};

}  // namespace gregor
