// DeleteGroups (key 42): delete empty groups and their offsets (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct DeleteGroupsRequest {
  std::vector<std::string> groups_names;

  template <class Io>
  void serde(Io& io) {
    io.field(groups_names);
  }
  GREGOR_MESSAGE_API(DeleteGroupsRequest, ApiKey::DeleteGroups);
};

struct DeleteGroupsResponse {
  struct DeletableGroupResult {
    std::string group_id;
    int16_t error_code = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(group_id);
      io.field(error_code);
    }
    bool operator==(const DeletableGroupResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<DeletableGroupResult> results;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms);
    io.field(results);
  }
  GREGOR_MESSAGE_API(DeleteGroupsResponse, ApiKey::DeleteGroups);
};

}  // namespace gregor
