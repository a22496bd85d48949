// OffsetsLog: where the coordinator appends its records (a __consumer_offsets partition, acks=all).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "protocol/error_code.h"

namespace gregor::coordinator {

class OffsetsLog {
 public:
  virtual ~OffsetsLog() = default;

  // One record of __consumer_offsets: version-prefixed key and value bytes (offsets_records.h).
  // A value of nullopt is a tombstone.
  struct Record {
    std::vector<uint8_t> key;
    std::optional<std::vector<uint8_t>> value;
    bool operator==(const Record&) const = default;
  };

  // Appends the records as one batch to `partition` with acks=all semantics and calls done once:
  // NONE when committed, else the append error (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS,
  // REQUEST_TIMED_OUT, ...). done may run before append returns.
  virtual void append(int32_t partition, std::vector<Record> records,
                      std::function<void(ErrorCode)> done) = 0;
};

}  // namespace gregor::coordinator
