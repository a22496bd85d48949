// ReplicaFetcherManager: fetcher per source broker, partitions moved between fetchers on leader changes.
#include "broker/replica_fetcher_manager.h"

namespace gregor::broker {

void ReplicaFetcherManager::add_partition(const log::TopicPartition& tp, const FetcherSource& source,
                                          int32_t leader_epoch) {
  remove_partitions({tp});
  auto& fetcher = fetchers_[source.broker_id];
  // A broker that came back on another endpoint gets a fresh fetcher (its partitions restart truncation).
  if (fetcher && !(fetcher->source() == source)) {
    auto moved = fetcher->partition_epochs();
    fetcher = std::make_unique<ReplicaFetcher>(replicas_, source);
    for (auto& [other, epoch] : moved) fetcher->add_partition(other, epoch);
  }
  if (!fetcher) fetcher = std::make_unique<ReplicaFetcher>(replicas_, source);
  fetcher->add_partition(tp, leader_epoch);
  source_of_[tp] = source.broker_id;
}

void ReplicaFetcherManager::remove_partitions(const std::set<log::TopicPartition>& tps) {
  for (auto& tp : tps) {
    auto it = source_of_.find(tp);
    if (it == source_of_.end()) continue;
    if (auto f = fetchers_.find(it->second); f != fetchers_.end() && f->second)
      f->second->remove_partition(tp);
    source_of_.erase(it);
  }
  drop_idle_fetchers();
}

void ReplicaFetcherManager::drop_idle_fetchers() {
  std::erase_if(fetchers_, [](auto& kv) { return !kv.second || kv.second->empty(); });
}

}  // namespace gregor::broker
