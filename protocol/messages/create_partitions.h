// CreatePartitions (key 37): grow a topic's partition count (protocol.md §5.6).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct CreatePartitionsRequest {
  struct CreatePartitionsAssignment {
    std::vector<int32_t> broker_ids;

    template <class Io>
    void serde(Io& io) {
      io.field(broker_ids);
    }
    bool operator==(const CreatePartitionsAssignment&) const = default;
  };
  struct CreatePartitionsTopic {
    std::string name;
    int32_t count = 0;                                                   // the new total
    std::optional<std::vector<CreatePartitionsAssignment>> assignments;  // new partitions only

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(count);
      io.field(assignments);
    }
    bool operator==(const CreatePartitionsTopic&) const = default;
  };

  std::vector<CreatePartitionsTopic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;

  template <class Io>
  void serde(Io& io) {
    io.field(topics);
    io.field(timeout_ms);
    io.field(validate_only);
  }
  GREGOR_MESSAGE_API(CreatePartitionsRequest, ApiKey::CreatePartitions);
};

struct CreatePartitionsResponse {
  struct CreatePartitionsTopicResult {
    std::string name;
    int16_t error_code = 0;
    std::optional<std::string> error_message;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(error_code);
      io.field(error_message);
    }
    bool operator==(const CreatePartitionsTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<CreatePartitionsTopicResult> results;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms);
    io.field(results);
  }
  GREGOR_MESSAGE_API(CreatePartitionsResponse, ApiKey::CreatePartitions);
};

}  // namespace gregor
