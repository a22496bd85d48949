// DescribeGroups (key 15): state and members of groups (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct DescribeGroupsRequest {
  std::vector<std::string> groups;
  bool include_authorized_operations = false;

  template <class Io>
  void serde(Io& io) {
    io.field(groups);
    io.field(include_authorized_operations, 3);
  }
  GREGOR_MESSAGE_API(DescribeGroupsRequest, ApiKey::DescribeGroups);
};

struct DescribeGroupsResponse {
  struct DescribedGroupMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    std::vector<uint8_t> member_metadata;
    std::vector<uint8_t> member_assignment;

    template <class Io>
    void serde(Io& io) {
      io.field(member_id);
      io.field(group_instance_id, 4);
      io.field(client_id);
      io.field(client_host);
      io.field(member_metadata);
      io.field(member_assignment);
    }
    bool operator==(const DescribedGroupMember&) const = default;
  };
  struct DescribedGroup {
    int16_t error_code = 0;
    std::string group_id;
    std::string group_state;
    std::string protocol_type;
    std::string protocol_data;
    std::vector<DescribedGroupMember> members;
    int32_t authorized_operations = INT32_MIN;

    template <class Io>
    void serde(Io& io) {
      io.field(error_code);
      io.field(group_id);
      io.field(group_state);
      io.field(protocol_type);
      io.field(protocol_data);
      io.field(members);
      io.field(authorized_operations, 3);
    }
    bool operator==(const DescribedGroup&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<DescribedGroup> groups;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 1);
    io.field(groups);
  }
  GREGOR_MESSAGE_API(DescribeGroupsResponse, ApiKey::DescribeGroups);
};

}  // namespace gregor
