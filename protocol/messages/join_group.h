// JoinGroup (key 11): join a consumer group and take part in a rebalance (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct JoinGroupRequest {
  struct JoinGroupRequestProtocol {
    std::string name;
    std::vector<uint8_t> metadata;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(metadata);
    }
    bool operator==(const JoinGroupRequestProtocol&) const = default;
  };

  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;  // v0: use session_timeout_ms
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string protocol_type;
  std::vector<JoinGroupRequestProtocol> protocols;

  template <class Io>
  void serde(Io& io) {
    io.field(group_id);
    io.field(session_timeout_ms);
    io.field(rebalance_timeout_ms, 1);
    io.field(member_id);
    io.field(group_instance_id, 5);
    io.field(protocol_type);
    io.field(protocols);
  }
  GREGOR_MESSAGE_API(JoinGroupRequest, ApiKey::JoinGroup);
};

struct JoinGroupResponse {
  struct JoinGroupResponseMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::vector<uint8_t> metadata;

    template <class Io>
    void serde(Io& io) {
      io.field(member_id);
      io.field(group_instance_id, 5);
      io.field(metadata);
    }
    bool operator==(const JoinGroupResponseMember&) const = default;
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t generation_id = -1;
  std::string protocol_name;  // nullable only from v7
  std::string leader;
  std::string member_id;
  std::vector<JoinGroupResponseMember> members;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 2);
    io.field(error_code);
    io.field(generation_id);
    io.field(protocol_name);
    io.field(leader);
    io.field(member_id);
    io.field(members);
  }
  GREGOR_MESSAGE_API(JoinGroupResponse, ApiKey::JoinGroup);
};

}  // namespace gregor
