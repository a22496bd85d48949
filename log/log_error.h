// LogError: the expected failures of the storage engine, and their mapping to Kafka error codes.
#pragma once

#include <string>

#include "protocol/error_code.h"

namespace gregor::log {

enum class LogErrorKind {
  corrupt_message,
  message_too_large,
  invalid_record,
  out_of_order_sequence,
  invalid_producer_epoch,
  offset_out_of_range,
  storage_error,
  log_offline,
};

struct LogError {
  LogErrorKind kind;
  std::string message;
};

const char* to_string(LogErrorKind kind);
// The wire error a broker answers with for this failure.
ErrorCode to_error_code(LogErrorKind kind);

}  // namespace gregor::log
