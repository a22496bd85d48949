// InitProducerId (key 22): allocate a producer id for idempotent/transactional producers (protocol.md §5.7).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct InitProducerIdRequest {
  std::optional<std::string> transactional_id;
  int32_t transaction_timeout_ms = 0;

  template <class Io>
  void serde(Io& io) {
    io.field(transactional_id);
    io.field(transaction_timeout_ms);
  }
  GREGOR_MESSAGE_API(InitProducerIdRequest, ApiKey::InitProducerId);
};

struct InitProducerIdResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = 0;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms);
    io.field(error_code);
    io.field(producer_id);
    io.field(producer_epoch);
  }
  GREGOR_MESSAGE_API(InitProducerIdResponse, ApiKey::InitProducerId);
};

}  // namespace gregor
