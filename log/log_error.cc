// Names of LogErrorKind values and their Kafka error codes.
#include "log/log_error.h"

namespace gregor::log {

const char* to_string(LogErrorKind kind) {
  switch (kind) {
    case LogErrorKind::corrupt_message:
      return "corrupt_message";
    case LogErrorKind::message_too_large:
      return "message_too_large";
    case LogErrorKind::invalid_record:
      return "invalid_record";
    case LogErrorKind::out_of_order_sequence:
      return "out_of_order_sequence";
    case LogErrorKind::invalid_producer_epoch:
      return "invalid_producer_epoch";
    case LogErrorKind::offset_out_of_range:
      return "offset_out_of_range";
    case LogErrorKind::storage_error:
      return "storage_error";
    case LogErrorKind::log_offline:
      return "log_offline";
  }
  return "unknown";
}

ErrorCode to_error_code(LogErrorKind kind) {
  switch (kind) {
    case LogErrorKind::corrupt_message:
      return ErrorCode::CORRUPT_MESSAGE;
    case LogErrorKind::message_too_large:
      return ErrorCode::MESSAGE_TOO_LARGE;
    case LogErrorKind::invalid_record:
      return ErrorCode::INVALID_RECORD;
    case LogErrorKind::out_of_order_sequence:
      return ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER;
    case LogErrorKind::invalid_producer_epoch:
      return ErrorCode::INVALID_PRODUCER_EPOCH;
    case LogErrorKind::offset_out_of_range:
      return ErrorCode::OFFSET_OUT_OF_RANGE;
    case LogErrorKind::storage_error:
      return ErrorCode::KAFKA_STORAGE_ERROR;
    case LogErrorKind::log_offline:
      return ErrorCode::KAFKA_STORAGE_ERROR;
  }
  return ErrorCode::UNKNOWN_SERVER_ERROR;
}

}  // namespace gregor::log
