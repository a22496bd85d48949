// BatchInfo: decoding of a RecordBatch v2 header into plain fields.
#include "log/batch_info.h"

#include <limits>

#include "protocol/record_batch_header.h"

namespace gregor::log {

BatchInfo BatchInfo::from_header(const uint8_t* p) {
  batch::Header h(const_cast<uint8_t*>(p));  // read-only use of a mutable view
  BatchInfo b;
  b.base_offset = h.base_offset();
  b.last_offset_delta = h.last_offset_delta();
  b.last_offset = b.base_offset + b.last_offset_delta;
  b.size = static_cast<int32_t>(h.total_size());
  b.partition_leader_epoch = h.partition_leader_epoch();
  b.attributes = h.attributes();
  b.base_timestamp = h.base_timestamp();
  b.max_timestamp = h.max_timestamp();
  b.producer_id = h.producer_id();
  b.producer_epoch = h.producer_epoch();
  b.base_sequence = h.base_sequence();
  b.records_count = h.records_count();
  return b;
}

int32_t BatchInfo::last_sequence() const {
  int64_t last = static_cast<int64_t>(base_sequence) + last_offset_delta;
  if (last > std::numeric_limits<int32_t>::max())
    last -= static_cast<int64_t>(std::numeric_limits<int32_t>::max()) + 1;
  return static_cast<int32_t>(last);
}

}  // namespace gregor::log
