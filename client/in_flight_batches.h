// InFlightBatches: per-partition count of Produce batches awaiting an answer, and when another may go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "client/topic_partition.h"

namespace gregor::client {

// The producer pipelines up to `max_per_partition` batches of one partition (max.in.flight, 5 by
// default; without idempotence a retry may then overtake a later batch, as in Java). All batches of a
// partition in flight go to one broker: a leader change waits until they are answered, so the old and the new
// leader never hold different parts of one sequence run at once. A retried batch goes alone: the batches
// behind it failed too (the broker refuses a gap with OUT_OF_ORDER_SEQUENCE_NUMBER) and are resent
// one by one in sequence order once it is written.
class InFlightBatches {
 public:
  explicit InFlightBatches(size_t max_per_partition) : max_per_partition_(max_per_partition) {}

  // May the head batch of tp (a retry when `retry`) be sent to `node` now?
  bool can_send(const TopicPartition& tp, int32_t node, bool retry) const;
  void sent(const TopicPartition& tp, int32_t node);
  // One batch of tp was answered (successfully or not).
  void answered(const TopicPartition& tp);

  size_t in_flight(const TopicPartition& tp) const;
  // The most batches of one partition that were ever in flight together (tests and perf output).
  size_t max_seen() const { return max_seen_; }

 private:
  struct Partition {
    size_t count = 0;
    int32_t node = -1;
  };
  size_t max_per_partition_;
  size_t max_seen_ = 0;
  std::map<TopicPartition, Partition> partitions_;
};

}  // namespace gregor::client
