// OffsetFetch (key 9): read a group's committed offsets (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct OffsetFetchRequest {
  struct OffsetFetchRequestTopic {
    std::string name;
    std::vector<int32_t> partition_indexes;

    template <class Io>
    void serde(Io& io) {
      io.field(name, 0, 7);
      io.field(partition_indexes, 0, 7);
    }
    bool operator==(const OffsetFetchRequestTopic&) const = default;
  };

  std::string group_id;
  // null (v2+) = every partition the group committed.
  std::optional<std::vector<OffsetFetchRequestTopic>> topics;
  bool require_stable = false;

  template <class Io>
  void serde(Io& io) {
    io.field(group_id, 0, 7);
    io.field(topics, 0, 7, 2);
    io.field(require_stable, 7);
  }
  GREGOR_MESSAGE_API(OffsetFetchRequest, ApiKey::OffsetFetch);
};

struct OffsetFetchResponse {
  struct OffsetFetchResponsePartition {
    int32_t partition_index = 0;
    int64_t committed_offset = -1;
    int32_t committed_leader_epoch = -1;
    std::optional<std::string> metadata;
    int16_t error_code = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(partition_index, 0, 7);
      io.field(committed_offset, 0, 7);
      io.field(committed_leader_epoch, 5, 7);
      io.field(metadata, 0, 7);
      io.field(error_code, 0, 7);
    }
    bool operator==(const OffsetFetchResponsePartition&) const = default;
  };
  struct OffsetFetchResponseTopic {
    std::string name;
    std::vector<OffsetFetchResponsePartition> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(name, 0, 7);
      io.field(partitions, 0, 7);
    }
    bool operator==(const OffsetFetchResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<OffsetFetchResponseTopic> topics;
  int16_t error_code = 0;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 3);
    io.field(topics, 0, 7);
    io.field(error_code, 2, 7);
  }
  GREGOR_MESSAGE_API(OffsetFetchResponse, ApiKey::OffsetFetch);
};

}  // namespace gregor
