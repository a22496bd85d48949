// Replica state: the leader's view of one follower (fetch progress, caught-up time) and the pure decisions
// built on it — high watermark, ISR shrink and ISR expansion (spec/internals.md §5.2–5.4).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace gregor::broker {

struct ReplicaFetchState {
  int64_t log_end_offset = -1;  // fetch offset of the latest fetch; -1 until the first fetch
  int64_t last_caught_up_time_ms = 0;
  int64_t last_fetch_leader_log_end_offset = -1;
  int64_t last_fetch_time_ms = 0;
};

// Kafka's Replica.updateFetchState for a follower fetch at `fetch_offset` arriving at `now_ms`.
void update_fetch_state(ReplicaFetchState& s, int64_t fetch_offset, int64_t leader_log_end_offset,
                        int64_t now_ms);

// Kafka's isCaughtUp: at the leader's log end, or caught up within replica.lag.time.max.ms.
bool is_caught_up(const ReplicaFetchState& s, int64_t leader_log_end_offset, int64_t now_ms,
                  int64_t lag_max_ms);

struct HighWatermarkInputs {
  int32_t local_broker_id;
  int64_t current_high_watermark;
  int64_t leader_log_end_offset;
  const std::vector<int32_t>& isr;
  const std::map<int32_t, ReplicaFetchState>& followers;  // every replica but the leader
  int64_t now_ms;
  int64_t lag_max_ms;
  std::function<bool(int32_t)> is_alive;  // broker in the metadata cache
};

// maybeIncrementLeaderHW: min log end offset over the ISR (and over caught-up live replicas about to join),
// never below the current high watermark.
int64_t compute_high_watermark(const HighWatermarkInputs& in);

// ISR members (other than the leader) not caught up: the ones the shrink task removes.
std::vector<int32_t> out_of_sync_replicas(int32_t local_broker_id, const std::vector<int32_t>& isr,
                                          const std::map<int32_t, ReplicaFetchState>& followers,
                                          int64_t leader_log_end_offset, int64_t now_ms, int64_t lag_max_ms);

// A follower outside the ISR joins once it is alive, reached the high watermark and the current leader
// epoch's start offset.
bool should_expand_isr(int32_t replica_id, const std::vector<int32_t>& isr, const ReplicaFetchState& s,
                       int64_t high_watermark, int64_t leader_epoch_start_offset, bool alive);

}  // namespace gregor::broker
