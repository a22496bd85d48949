// DeleteTopics (key 20): delete topics by name (protocol.md §5.6).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct DeleteTopicsRequest {
  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;

  template <class Io>
  void serde(Io& io) {
    io.field(topic_names, 0, 5);
    io.field(timeout_ms);
  }
  GREGOR_MESSAGE_API(DeleteTopicsRequest, ApiKey::DeleteTopics);
};

struct DeleteTopicsResponse {
  struct DeletableTopicResult {
    std::string name;
    int16_t error_code = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(error_code);
    }
    bool operator==(const DeletableTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<DeletableTopicResult> responses;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms, 1);
    io.field(responses);
  }
  GREGOR_MESSAGE_API(DeleteTopicsResponse, ApiKey::DeleteTopics);
};

}  // namespace gregor
