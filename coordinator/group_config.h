// GroupConfig: the broker settings the group coordinator follows (Kafka's group.* and offsets.* keys).
#pragma once

#include <climits>
#include <cstdint>

namespace gregor::coordinator {

struct GroupConfig {
  int32_t offsets_topic_num_partitions = 50;              // offsets.topic.num.partitions
  int32_t group_min_session_timeout_ms = 6000;            // group.min.session.timeout.ms
  int32_t group_max_session_timeout_ms = 1800000;         // group.max.session.timeout.ms
  int32_t group_initial_rebalance_delay_ms = 3000;        // group.initial.rebalance.delay.ms
  int32_t group_max_size = INT32_MAX;                     // group.max.size
  int64_t offsets_retention_ms = 7 * 24 * 3600 * 1000LL;  // offsets.retention.minutes
  int32_t offset_metadata_max_bytes = 4096;               // offset.metadata.max.bytes
  int64_t offsets_retention_check_interval_ms = 600000;   // offsets.retention.check.interval.ms
};

}  // namespace gregor::coordinator
