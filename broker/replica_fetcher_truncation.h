// Follower truncation from an OffsetForLeaderEpoch answer (KIP-101, multi-round KIP-279): the pure decision
// of where to truncate and whether to ask again (spec/internals.md §4.4 "Classic").
#pragma once

#include <cstdint>

#include "log/leader_epoch_cache.h"

namespace gregor::broker {

struct TruncationDecision {
  int64_t truncate_to;  // the follower truncates its log to this offset (no-op when >= its log end offset)
  bool another_round;   // truncate, then send OffsetForLeaderEpoch again with the new latest epoch
};

// leader_epoch/leader_end_offset: the leader's answer for the follower's latest epoch ((-1, -1) = undefined).
// follower_cache/follower_log_end_offset: the follower's state; initial_fetch_offset: its high watermark.
TruncationDecision compute_truncation(int32_t leader_epoch, int64_t leader_end_offset,
                                      const log::LeaderEpochCache& follower_cache,
                                      int64_t follower_log_end_offset, int64_t initial_fetch_offset);

}  // namespace gregor::broker
