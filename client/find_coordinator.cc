// find_coordinator: FindCoordinator with retries.
#include "client/find_coordinator.h"

#include "protocol/messages/find_coordinator.h"

namespace gregor::client {

bool coordinator_moved(ErrorCode code) {
  return code == ErrorCode::NOT_COORDINATOR || code == ErrorCode::COORDINATOR_NOT_AVAILABLE ||
         code == ErrorCode::NETWORK_EXCEPTION || code == ErrorCode::REQUEST_TIMED_OUT;
}

Result<CoordinatorInfo, ClientError> find_coordinator(KafkaClient& client, const std::string& group_id,
                                                      Clock::time_point deadline) {
  FindCoordinatorRequest req;
  req.key = group_id;
  req.key_type = 0;
  while (true) {
    auto resp = client.call_any<FindCoordinatorResponse>(req, deadline);
    ClientError error;
    if (!resp) {
      error = resp.error();
    } else if (resp->error_code == 0) {
      return CoordinatorInfo{resp->node_id, resp->host, resp->port};
    } else {
      error = make_error(static_cast<ErrorCode>(resp->error_code),
                         "FindCoordinator for group '" + group_id + "'" +
                             (resp->error_message ? ": " + *resp->error_message : std::string()));
    }
    bool retry = error.code == ErrorCode::COORDINATOR_NOT_AVAILABLE ||
                 error.code == ErrorCode::COORDINATOR_LOAD_IN_PROGRESS ||
                 error.code == ErrorCode::NOT_COORDINATOR || error.code == ErrorCode::NETWORK_EXCEPTION;
    if (!retry || Clock::now() >= deadline) return unexpected(error);
    client.pause(client.config().retry_backoff);
  }
}

}  // namespace gregor::client
