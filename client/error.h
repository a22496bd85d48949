// ClientError: why a client operation failed (a Kafka error code plus a human-readable reason).
#pragma once

#include <string>

#include "protocol/error_code.h"

namespace gregor::client {

struct ClientError {
  ErrorCode code = ErrorCode::UNKNOWN_SERVER_ERROR;
  std::string message;

  // "NOT_LEADER_OR_FOLLOWER: <message>" (or just the code's name).
  std::string to_string() const;
  bool retriable() const { return is_retriable(code); }
};

inline ClientError make_error(ErrorCode code, std::string message = {}) { return {code, std::move(message)}; }

}  // namespace gregor::client
