// InFlightBatches: the per-partition pipelining rules of the producer's sender.
#include "client/in_flight_batches.h"

#include <algorithm>
#include <stdexcept>

namespace gregor::client {

bool InFlightBatches::can_send(const TopicPartition& tp, int32_t node, bool retry) const {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return true;
  const Partition& p = it->second;
  if (retry) return false;  // a retry waits until nothing of its partition is in flight
  return p.node == node && p.count < max_per_partition_;
}

void InFlightBatches::sent(const TopicPartition& tp, int32_t node) {
  Partition& p = partitions_[tp];
  p.node = node;
  ++p.count;
  max_seen_ = std::max(max_seen_, p.count);
}

void InFlightBatches::answered(const TopicPartition& tp) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) throw std::logic_error("answer for a partition with nothing in flight");
  if (--it->second.count == 0) partitions_.erase(it);
}

size_t InFlightBatches::in_flight(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? 0 : it->second.count;
}

}  // namespace gregor::client
