// find_coordinator: which broker coordinates a consumer group (FindCoordinator, retried while it is
// starting).
#pragma once

#include <string>

#include "client/kafka_client.h"

namespace gregor::client {

struct CoordinatorInfo {
  int32_t node_id = -1;
  std::string host;
  int32_t port = 0;
};

// Asks any broker; COORDINATOR_NOT_AVAILABLE and COORDINATOR_LOAD_IN_PROGRESS (the offsets topic is
// being created or loaded) and network errors are retried until the deadline.
Result<CoordinatorInfo, ClientError> find_coordinator(KafkaClient& client, const std::string& group_id,
                                                      Clock::time_point deadline);

// True for the errors that mean "ask FindCoordinator again".
bool coordinator_moved(ErrorCode code);

}  // namespace gregor::client
