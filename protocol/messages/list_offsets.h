// ListOffsets (key 2): offsets by timestamp, earliest or latest (protocol.md §5.3).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct ListOffsetsRequest {
  struct ListOffsetsPartition {
    int32_t partition_index = 0;
    int32_t current_leader_epoch = -1;
    int64_t timestamp = 0;  // -1 latest, -2 earliest, else a time in ms

    template <class Io>
    void serde(Io& io) {
      io.field(partition_index);
      io.field(current_leader_epoch, 4);
      io.field(timestamp);
    }
    bool operator==(const ListOffsetsPartition&) const = default;
  };
  struct ListOffsetsTopic {
    std::string name;
    std::vector<ListOffsetsPartition> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(partitions);
    }
    bool operator==(const ListOffsetsTopic&) const = default;
  };

  int32_t replica_id = -1;
  int8_t isolation_level = 0;
  std::vector<ListOffsetsTopic> topics;

  template <class Io>
  void serde(Io& io) {
    io.field(replica_id);
    io.field(isolation_level, 2);
    io.field(topics);
  }
  GREGOR_MESSAGE_API(ListOffsetsRequest, ApiKey::ListOffsets);
};

struct ListOffsetsResponse {
  struct ListOffsetsPartitionResponse {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t timestamp = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;

    template <class Io>
    void serde(Io& io) {
      io.field(partition_index);
      io.field(error_code);
      io.field(timestamp, 1);
      io.field(offset, 1);
      io.field(leader_epoch, 4);
    }
    bool operator==(const ListOffsetsPartitionResponse&) const = default;
  };
  struct ListOffsetsTopicResponse {
    std::string name;
    std::vector<ListOffsetsPartitionResponse> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(partitions);
    }
    bool operator==(const ListOffsetsTopicResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<ListOffsetsTopicResponse> topics;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 2);
    io.field(topics);
  }
  GREGOR_MESSAGE_API(ListOffsetsResponse, ApiKey::ListOffsets);
};

}  // namespace gregor
