// OffsetCommit (key 8): store a group's consumed positions (protocol.md §5.5).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct OffsetCommitRequest {
  struct OffsetCommitRequestPartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    std::optional<std::string> committed_metadata;

    template <class Io>
    void serde(Io& io) {
      io.field(partition_index);
      io.field(committed_offset);
      io.field(committed_leader_epoch, 6);
      io.field(committed_metadata);
    }
    bool operator==(const OffsetCommitRequestPartition&) const = default;
  };
  struct OffsetCommitRequestTopic {
    std::string name;
    std::vector<OffsetCommitRequestPartition> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(partitions);
    }
    bool operator==(const OffsetCommitRequestTopic&) const = default;
  };

  std::string group_id;
  int32_t generation_id_or_member_epoch = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int64_t retention_time_ms = -1;
  std::vector<OffsetCommitRequestTopic> topics;

  template <class Io>
  void serde(Io& io) {
    io.field(group_id);
    io.field(generation_id_or_member_epoch, 1);
    io.field(member_id, 1);
    io.field(group_instance_id, 7);
    io.field(retention_time_ms, 2, 4);
    io.field(topics);
  }
  GREGOR_MESSAGE_API(OffsetCommitRequest, ApiKey::OffsetCommit);
};

struct OffsetCommitResponse {
  struct OffsetCommitResponsePartition {
    int32_t partition_index = 0;
    int16_t error_code = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(partition_index);
      io.field(error_code);
    }
    bool operator==(const OffsetCommitResponsePartition&) const = default;
  };
  struct OffsetCommitResponseTopic {
    std::string name;
    std::vector<OffsetCommitResponsePartition> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(partitions);
    }
    bool operator==(const OffsetCommitResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<OffsetCommitResponseTopic> topics;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 3);
    io.field(topics);
  }
  GREGOR_MESSAGE_API(OffsetCommitResponse, ApiKey::OffsetCommit);
};

}  // namespace gregor
