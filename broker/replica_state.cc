// Replica state decisions: follower fetch bookkeeping, high watermark, ISR shrink/expand (Partition.scala).
#include "broker/replica_state.h"

#include <algorithm>

namespace gregor::broker {

void update_fetch_state(ReplicaFetchState& s, int64_t fetch_offset, int64_t leader_log_end_offset,
                        int64_t now_ms) {
  if (fetch_offset >= leader_log_end_offset) {
    s.last_caught_up_time_ms = std::max(s.last_caught_up_time_ms, now_ms);
  } else if (fetch_offset >= s.last_fetch_leader_log_end_offset) {
    // It reached what the leader had at its previous fetch: caught up as of that fetch.
    s.last_caught_up_time_ms = std::max(s.last_caught_up_time_ms, s.last_fetch_time_ms);
  }
  s.last_fetch_leader_log_end_offset = std::max(s.last_fetch_leader_log_end_offset, leader_log_end_offset);
  s.last_fetch_time_ms = now_ms;
  s.log_end_offset = fetch_offset;
}

bool is_caught_up(const ReplicaFetchState& s, int64_t leader_log_end_offset, int64_t now_ms,
                  int64_t lag_max_ms) {
  return s.log_end_offset == leader_log_end_offset || now_ms - s.last_caught_up_time_ms <= lag_max_ms;
}

namespace {
bool contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

int64_t compute_high_watermark(const HighWatermarkInputs& in) {
  int64_t hw = in.leader_log_end_offset;
  for (auto& [id, s] : in.followers) {
    if (id == in.local_broker_id || s.log_end_offset >= hw) continue;
    bool in_isr = contains(in.isr, id);
    bool about_to_join = !in_isr && is_caught_up(s, in.leader_log_end_offset, in.now_ms, in.lag_max_ms) &&
                         s.log_end_offset >= 0 && in.is_alive && in.is_alive(id);
    if (in_isr || about_to_join) hw = std::max<int64_t>(s.log_end_offset, 0);
  }
  // An ISR member that never fetched (log end offset unknown) holds the high watermark where it is.
  for (int32_t id : in.isr) {
    if (id == in.local_broker_id) continue;
    auto it = in.followers.find(id);
    if (it == in.followers.end() || it->second.log_end_offset < 0) return in.current_high_watermark;
  }
  return std::max(in.current_high_watermark, hw);
}

std::vector<int32_t> out_of_sync_replicas(int32_t local_broker_id, const std::vector<int32_t>& isr,
                                          const std::map<int32_t, ReplicaFetchState>& followers,
                                          int64_t leader_log_end_offset, int64_t now_ms, int64_t lag_max_ms) {
  std::vector<int32_t> out;
  for (int32_t id : isr) {
    if (id == local_broker_id) continue;
    auto it = followers.find(id);
    ReplicaFetchState never;
    const ReplicaFetchState& s = it == followers.end() ? never : it->second;
    if (!is_caught_up(s, leader_log_end_offset, now_ms, lag_max_ms)) out.push_back(id);
  }
  return out;
}

bool should_expand_isr(int32_t replica_id, const std::vector<int32_t>& isr, const ReplicaFetchState& s,
                       int64_t high_watermark, int64_t leader_epoch_start_offset, bool alive) {
  return !contains(isr, replica_id) && alive && s.log_end_offset >= high_watermark &&
         s.log_end_offset >= leader_epoch_start_offset;
}

}  // namespace gregor::broker
