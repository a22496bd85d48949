// Produce (key 0): append record batches to partitions (protocol.md §5.1).
#pragma once

#include <algorithm>

#include "protocol/messages/message.h"

namespace gregor {

struct ProduceRequest {
  struct PartitionData {
    int32_t index = 0;
    // A view into the request buffer (decode needs a Reader over mutable bytes): the
    // broker rewrites base offsets in place and appends these bytes as they are.
    std::optional<std::span<uint8_t>> records;

    template <class Io>
    void serde(Io& io) {
      io.field(index);
      io.field(records);
    }
    bool operator==(const PartitionData& o) const {
      if (index != o.index || records.has_value() != o.records.has_value()) return false;
      return !records || std::ranges::equal(*records, *o.records);
    }
  };
  struct TopicData {
    std::string name;
    std::vector<PartitionData> partition_data;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(partition_data);
    }
    bool operator==(const TopicData&) const = default;
  };

  std::optional<std::string> transactional_id;
  int16_t acks = 0;
  int32_t timeout_ms = 0;
  std::vector<TopicData> topic_data;

  template <class Io>
  void serde(Io& io) {
    io.field(transactional_id, 3);
    io.field(acks);
    io.field(timeout_ms);
    io.field(topic_data);
  }
  GREGOR_MESSAGE_API(ProduceRequest, ApiKey::Produce);
};

struct ProduceResponse {
  struct BatchIndexAndErrorMessage {
    int32_t batch_index = 0;
    std::optional<std::string> batch_index_error_message;

    template <class Io>
    void serde(Io& io) {
      io.field(batch_index, 8);
      io.field(batch_index_error_message, 8);
    }
    bool operator==(const BatchIndexAndErrorMessage&) const = default;
  };
  struct PartitionProduceResponse {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t base_offset = 0;
    int64_t log_append_time_ms = -1;
    int64_t log_start_offset = -1;
    std::vector<BatchIndexAndErrorMessage> record_errors;
    std::optional<std::string> error_message;

    template <class Io>
    void serde(Io& io) {
      io.field(index);
      io.field(error_code);
      io.field(base_offset);
      io.field(log_append_time_ms, 2);
      io.field(log_start_offset, 5);
      io.field(record_errors, 8);
      io.field(error_message, 8);
    }
    bool operator==(const PartitionProduceResponse&) const = default;
  };
  struct TopicProduceResponse {
    std::string name;
    std::vector<PartitionProduceResponse> partition_responses;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(partition_responses);
    }
    bool operator==(const TopicProduceResponse&) const = default;
  };

  std::vector<TopicProduceResponse> responses;
  int32_t throttle_time_ms = 0;  // last in Produce responses

  template <class Io>
  void serde(Io& io) {
    io.field(responses);
    io.field(throttle_time_ms, 1);
  }
  GREGOR_MESSAGE_API(ProduceResponse, ApiKey::Produce);
};

}  // namespace gregor
