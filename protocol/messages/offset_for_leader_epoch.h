// OffsetForLeaderEpoch (key 23): end offset of a leader epoch, for truncation and validation (protocol.md
// §5.8).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct OffsetForLeaderEpochRequest {
  struct OffsetForLeaderPartition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;
    int32_t leader_epoch = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(partition);
      io.field(current_leader_epoch, 2);
      io.field(leader_epoch);
    }
    bool operator==(const OffsetForLeaderPartition&) const = default;
  };
  struct OffsetForLeaderTopic {
    std::string topic;
    std::vector<OffsetForLeaderPartition> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(topic);
      io.field(partitions);
    }
    bool operator==(const OffsetForLeaderTopic&) const = default;
  };

  int32_t replica_id = -2;  // v3+: >= 0 follower, -1 consumer; -2 (Kafka "debugging") when absent
  std::vector<OffsetForLeaderTopic> topics;

  template <class Io>
  void serde(Io& io) {
    io.field(replica_id, 3);
    io.field(topics);
  }
  GREGOR_MESSAGE_API(OffsetForLeaderEpochRequest, ApiKey::OffsetForLeaderEpoch);
};

struct OffsetForLeaderEpochResponse {
  struct EpochEndOffset {
    int16_t error_code = 0;
    int32_t partition = 0;
    int32_t leader_epoch = -1;
    int64_t end_offset = -1;

    template <class Io>
    void serde(Io& io) {
      io.field(error_code);
      io.field(partition);
      io.field(leader_epoch, 1);
      io.field(end_offset);
    }
    bool operator==(const EpochEndOffset&) const = default;
  };
  struct OffsetForLeaderTopicResult {
    std::string topic;
    std::vector<EpochEndOffset> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(topic);
      io.field(partitions);
    }
    bool operator==(const OffsetForLeaderTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<OffsetForLeaderTopicResult> topics;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 2);
    io.field(topics);
  }
  GREGOR_MESSAGE_API(OffsetForLeaderEpochResponse, ApiKey::OffsetForLeaderEpoch);
};

}  // namespace gregor
