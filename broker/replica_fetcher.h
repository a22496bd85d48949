// ReplicaFetcher: the follower's fetch loop against one leader broker (Kafka's ReplicaFetcherThread, run on
// the event loop): OffsetForLeaderEpoch truncation rounds, then Fetch requests as replica_id = this broker,
// appends.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/event_loop.h"
#include "broker/network/outbound_connection.h"
#include "log/topic_partition.h"

namespace gregor::broker {

class ReplicaManager;

// The leader broker a fetcher connects to (its inter-broker listener endpoint).
struct FetcherSource {
  int32_t broker_id = -1;
  std::string host;
  int32_t port = 0;
  bool operator==(const FetcherSource&) const = default;
};

class ReplicaFetcher {
 public:
  ReplicaFetcher(ReplicaManager& replicas, FetcherSource source);
  ~ReplicaFetcher();

  // Starts (or restarts) fetching tp at leader_epoch: truncation first, then fetching from the log end.
  void add_partition(const log::TopicPartition& tp, int32_t leader_epoch);
  void remove_partition(const log::TopicPartition& tp);
  bool empty() const { return partitions_.empty(); }
  std::vector<std::pair<log::TopicPartition, int32_t>> partition_epochs() const;
  const FetcherSource& source() const { return source_; }

 private:
  enum class State { truncating, fetching };
  struct FetchState {
    State state = State::truncating;
    int32_t leader_epoch = -1;
    int64_t delayed_until_ms = 0;
  };
  void schedule(int64_t delay_ms);
  void run();
  bool ensure_connection();
  void send_offsets_for_leader_epoch(const std::vector<log::TopicPartition>& tps);
  void send_fetch(const std::vector<log::TopicPartition>& tps);
  void on_request_failed(const std::string& what, const std::string& reason);
  // The state of tp if it is still fetched at the epoch the request was sent with.
  FetchState* current(const log::TopicPartition& tp, int32_t epoch);
  void delay(const log::TopicPartition& tp, int32_t epoch);

  ReplicaManager& replicas_;
  EventLoop& loop_;
  FetcherSource source_;
  std::map<log::TopicPartition, FetchState> partitions_;
  std::unique_ptr<OutboundConnection> conn_;
  std::unique_ptr<Timer> timer_;
  bool in_flight_ = false;
  int64_t connect_after_ms_ = 0;
  bool logged_failure_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gregor::broker
