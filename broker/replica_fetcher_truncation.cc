// Follower truncation decision (AbstractFetcherThread.getOffsetTruncationState, classic path).
#include "broker/replica_fetcher_truncation.h"

#include <algorithm>

namespace gregor::broker {

TruncationDecision compute_truncation(int32_t leader_epoch, int64_t leader_end_offset,
                                      const log::LeaderEpochCache& follower_cache,
                                      int64_t follower_log_end_offset, int64_t initial_fetch_offset) {
  int64_t leo = follower_log_end_offset;
  // The leader knows nothing at or below our epoch: fall back to the high watermark.
  if (leader_end_offset < 0) return {std::min(initial_fetch_offset, leo), false};
  // Old-format answer without the epoch: trust the end offset.
  if (leader_epoch < 0) return {std::min(leader_end_offset, leo), false};
  auto [follower_epoch, follower_end] = follower_cache.end_offset_for(leader_epoch, leo);
  // We have no epoch at or below the leader's: truncate to the leader's end offset.
  if (follower_epoch < 0 || follower_end < 0) return {std::min(leader_end_offset, leo), false};
  // We never saw the leader's epoch: cut our own later epochs and ask again with our now-latest epoch.
  if (follower_epoch != leader_epoch) return {std::min(follower_end, leo), true};
  return {std::min({follower_end, leader_end_offset, leo}), false};
}

}  // namespace gregor::broker
