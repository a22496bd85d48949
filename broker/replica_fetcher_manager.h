// ReplicaFetcherManager: one ReplicaFetcher per leader broker (num.replica.fetchers = 1); adds and removes
// follower partitions as LeaderAndIsr / StopReplica decide.
#pragma once

#include <map>
#include <memory>
#include <set>

#include "broker/replica_fetcher.h"

namespace gregor::broker {

class ReplicaFetcherManager {
 public:
  explicit ReplicaFetcherManager(ReplicaManager& replicas) : replicas_(replicas) {}

  // Fetch tp from `source` at leader_epoch (moving it off any other fetcher).
  void add_partition(const log::TopicPartition& tp, const FetcherSource& source, int32_t leader_epoch);
  void remove_partitions(const std::set<log::TopicPartition>& tps);
  void shutdown() { fetchers_.clear(); }
  size_t fetcher_count() const { return fetchers_.size(); }

 private:
  void drop_idle_fetchers();

  ReplicaManager& replicas_;
  std::map<int32_t, std::unique_ptr<ReplicaFetcher>> fetchers_;  // by source broker id
  std::map<log::TopicPartition, int32_t> source_of_;
};

}  // namespace gregor::broker
