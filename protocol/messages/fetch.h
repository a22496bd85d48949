// Fetch (key 1): read records from partitions, for consumers and follower replicas (protocol.md §5.2).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct FetchRequest {
  struct FetchPartition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;
    int64_t fetch_offset = 0;
    int64_t log_start_offset = -1;
    int32_t partition_max_bytes = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(partition);
      io.field(current_leader_epoch, 9);
      io.field(fetch_offset);
      io.field(log_start_offset, 5);
      io.field(partition_max_bytes);
    }
    bool operator==(const FetchPartition&) const = default;
  };
  struct FetchTopic {
    std::string topic;
    std::vector<FetchPartition> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(topic, 0, 12);
      io.field(partitions);
    }
    bool operator==(const FetchTopic&) const = default;
  };
  struct ForgottenTopic {
    std::string topic;
    std::vector<int32_t> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(topic, 7, 12);
      io.field(partitions, 7);
    }
    bool operator==(const ForgottenTopic&) const = default;
  };

  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = 0x7fffffff;
  int8_t isolation_level = 0;
  int32_t session_id = 0;
  int32_t session_epoch = -1;
  std::vector<FetchTopic> topics;
  std::vector<ForgottenTopic> forgotten_topics_data;
  std::string rack_id;

  template <class Io>
  void serde(Io& io) {
    io.field(replica_id, 0, 14);
    io.field(max_wait_ms);
    io.field(min_bytes);
    io.field(max_bytes, 3);
    io.field(isolation_level, 4);
    io.field(session_id, 7);
    io.field(session_epoch, 7);
    io.field(topics);
    io.field(forgotten_topics_data, 7);
    io.field(rack_id, 11);
  }
  GREGOR_MESSAGE_API(FetchRequest, ApiKey::Fetch);
};

struct FetchResponse {
  struct AbortedTransaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(producer_id, 4);
      io.field(first_offset, 4);
    }
    bool operator==(const AbortedTransaction&) const = default;
  };
  struct PartitionData {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t high_watermark = 0;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    int32_t preferred_read_replica = -1;
    // Bytes or file regions on encode (regions go out with sendfile); bytes on decode.
    RecordsPayload records;

    template <class Io>
    void serde(Io& io) {
      io.field(partition_index);
      io.field(error_code);
      io.field(high_watermark);
      io.field(last_stable_offset, 4);
      io.field(log_start_offset, 5);
      io.field(aborted_transactions, 4);
      io.field(preferred_read_replica, 11);
      io.field(records);
    }
    bool operator==(const PartitionData&) const = default;
  };
  struct FetchableTopicResponse {
    std::string topic;
    std::vector<PartitionData> partitions;

    template <class Io>
    void serde(Io& io) {
      io.field(topic, 0, 12);
      io.field(partitions);
    }
    bool operator==(const FetchableTopicResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t session_id = 0;
  std::vector<FetchableTopicResponse> responses;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 1);
    io.field(error_code, 7);
    io.field(session_id, 7);
    io.field(responses);
  }
  GREGOR_MESSAGE_API(FetchResponse, ApiKey::Fetch);
};

}  // namespace gregor
