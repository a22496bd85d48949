// BatchInfo: the header fields of one stored RecordBatch v2 that the log works with.
#pragma once

#include <cstdint>

namespace gregor::log {

struct BatchInfo {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int32_t size = 0;  // whole batch, log overhead included
  int32_t partition_leader_epoch = -1;
  int16_t attributes = 0;
  int64_t base_timestamp = -1;
  int64_t max_timestamp = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t last_offset_delta = 0;
  int32_t records_count = 0;

  // Reads the 61 header bytes at p (RecordBatch v2 layout, spec/protocol.md §6.1).
  static BatchInfo from_header(const uint8_t* p);
  int32_t last_sequence() const;  // base sequence + last offset delta, wrapping at INT32_MAX
};

}  // namespace gregor::log
