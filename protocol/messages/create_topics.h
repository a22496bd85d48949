// CreateTopics (key 19): create topics with partition counts, replication and configs (protocol.md §5.6).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct CreateTopicsRequest {
  struct CreatableReplicaAssignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;

    template <class Io>
    void serde(Io& io) {
      io.field(partition_index);
      io.field(broker_ids);
    }
    bool operator==(const CreatableReplicaAssignment&) const = default;
  };
  struct CreatableTopicConfig {
    std::string name;
    std::optional<std::string> value;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(value);
    }
    bool operator==(const CreatableTopicConfig&) const = default;
  };
  struct CreatableTopic {
    std::string name;
    int32_t num_partitions = 0;  // v4+: -1 = broker default
    int16_t replication_factor = 0;
    std::vector<CreatableReplicaAssignment> assignments;
    std::vector<CreatableTopicConfig> configs;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(num_partitions);
      io.field(replication_factor);
      io.field(assignments);
      io.field(configs);
    }
    bool operator==(const CreatableTopic&) const = default;
  };

  std::vector<CreatableTopic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;

  template <class Io>
  void serde(Io& io) {
    io.field(topics);
    io.field(timeout_ms);
    io.field(validate_only, 1);
  }
  GREGOR_MESSAGE_API(CreateTopicsRequest, ApiKey::CreateTopics);
};

struct CreateTopicsResponse {
  struct CreatableTopicResult {
    std::string name;
    int16_t error_code = 0;
    std::optional<std::string> error_message;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(error_code);
      io.field(error_message, 1);
    }
    bool operator==(const CreatableTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<CreatableTopicResult> topics;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 2);
    io.field(topics);
  }
  GREGOR_MESSAGE_API(CreateTopicsResponse, ApiKey::CreateTopics);
};

}  // namespace gregor
