// ListGroups (key 16): the groups a broker coordinates (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct ListGroupsRequest {
  std::vector<std::string> states_filter;  // v4+, beyond the served range
  std::vector<std::string> types_filter;   // v5+

  template <class Io>
  void serde(Io& io) {
    io.field(states_filter, 4);
    io.field(types_filter, 5);
  }
  GREGOR_MESSAGE_API(ListGroupsRequest, ApiKey::ListGroups);
};

struct ListGroupsResponse {
  struct ListedGroup {
    std::string group_id;
    std::string protocol_type;
    std::string group_state;
    std::string group_type;

    template <class Io>
    void serde(Io& io) {
      io.field(group_id);
      io.field(protocol_type);
      io.field(group_state, 4);
      io.field(group_type, 5);
    }
    bool operator==(const ListedGroup&) const = default;
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<ListedGroup> groups;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 1);
    io.field(error_code);
    io.field(groups);
  }
  GREGOR_MESSAGE_API(ListGroupsResponse, ApiKey::ListGroups);
};

}  // namespace gregor
