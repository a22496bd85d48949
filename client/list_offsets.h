// list_offsets: ListOffsets for partitions at a timestamp, sent to each partition's leader.
#pragma once

#include <map>
#include <vector>

#include "client/kafka_client.h"
#include "client/topic_partition.h"

namespace gregor::client {

// Special ListOffsets timestamps.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;

// Offsets per partition (-1 when no record has a timestamp that late). Leader moves and other
// retriable errors refresh metadata and retry until the deadline; an unknown partition fails.
Result<std::map<TopicPartition, int64_t>, ClientError> list_offsets(KafkaClient& client,
                                                                    const std::vector<TopicPartition>& tps,
                                                                    int64_t timestamp,
                                                                    Clock::time_point deadline);

}  // namespace gregor::client
