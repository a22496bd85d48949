// Partition: produce validation (record_batch), leader append, high watermark, reads bounded by the HW.
#include "broker/partition.h"

#include <algorithm>

#include "broker/logging.h"
#include "protocol/record_batch.h"
#include "protocol/record_batch_header.h"

namespace gregor::broker {

Partition::Partition(log::TopicPartition tp, log::Log& log, TopicSettings settings, int32_t local_broker_id)
    : tp_(std::move(tp)), log_(log), settings_(std::move(settings)), local_broker_id_(local_broker_id) {}

void Partition::update_settings(TopicSettings s) {
  settings_ = std::move(s);
  log_.update_config(settings_.log);
}

void Partition::configure_replication(int64_t lag_max_ms, std::function<bool(int32_t)> is_alive) {
  lag_max_ms_ = lag_max_ms;
  is_alive_ = std::move(is_alive);
}

void Partition::init_high_watermark(int64_t checkpointed_high_watermark) {
  if (high_watermark_initialized_) {
    high_watermark_ = std::min(high_watermark_, log_.log_end_offset());
    return;
  }
  high_watermark_initialized_ = true;
  high_watermark_ = std::clamp(checkpointed_high_watermark, log_.log_start_offset(), log_.log_end_offset());
}

void Partition::make_leader(const LeadershipState& s, int64_t checkpointed_high_watermark, int64_t now_ms) {
  bool was_leader = is_leader();
  bool new_epoch = s.leader_epoch > leader_epoch_;
  controller_epoch_ = s.controller_epoch;
  leader_ = local_broker_id_;
  leader_epoch_ = s.leader_epoch;
  replicas_ = s.replicas;
  isr_ = s.isr;
  zk_version_ = s.zk_version;
  isr_change_in_flight_ = false;
  init_high_watermark(checkpointed_high_watermark);
  if (new_epoch) {
    // A new leader epoch starts at the current log end: followers with divergent tails truncate to it.
    log_.leader_epoch_cache().assign(leader_epoch_, log_.log_end_offset());
    leader_epoch_start_offset_ = log_.log_end_offset();
    std::map<int32_t, ReplicaFetchState> next;
    for (int32_t r : replicas_) {
      if (r == local_broker_id_) continue;
      ReplicaFetchState st;
      auto old = followers_.find(r);
      if (was_leader && old != followers_.end()) st = old->second;  // keep known log end offsets
      if (!was_leader) st.log_end_offset = -1;
      bool in_isr = std::find(isr_.begin(), isr_.end(), r) != isr_.end();
      st.last_caught_up_time_ms = in_isr ? now_ms : 0;
      next[r] = st;
    }
    followers_ = std::move(next);
  } else {
    for (int32_t r : replicas_) {
      if (r != local_broker_id_ && !followers_.count(r)) followers_[r] = ReplicaFetchState{};
    }
  }
  maybe_advance_high_watermark(now_ms);
  logger("broker")->info("[{}] became leader at epoch {}, ISR [{}], high watermark {}, log end offset {}",
                         tp_.to_string(), leader_epoch_, fmt::join(isr_, ","), high_watermark_,
                         log_.log_end_offset());
}

bool Partition::make_follower(const LeadershipState& s, int64_t checkpointed_high_watermark) {
  bool new_epoch = s.leader_epoch > leader_epoch_;
  controller_epoch_ = s.controller_epoch;
  leader_ = s.leader;
  leader_epoch_ = s.leader_epoch;
  replicas_ = s.replicas;
  isr_.clear();
  followers_.clear();
  isr_change_in_flight_ = false;
  zk_version_ = s.zk_version;
  init_high_watermark(checkpointed_high_watermark);
  logger("broker")->info(
      "[{}] became follower of broker {} at epoch {}, high watermark {}, log end offset {}", tp_.to_string(),
      leader_, leader_epoch_, high_watermark_, log_.log_end_offset());
  return new_epoch;
}

void Partition::make_leader(int32_t leader_epoch, std::vector<int32_t> replicas, std::vector<int32_t> isr,
                            int32_t zk_version, int64_t checkpointed_high_watermark) {
  LeadershipState s{controller_epoch_, local_broker_id_,    leader_epoch,
                    std::move(isr),    std::move(replicas), zk_version};
  make_leader(s, checkpointed_high_watermark, 0);
}

void Partition::make_follower(int32_t leader, int32_t leader_epoch, std::vector<int32_t> replicas,
                              int32_t zk_version) {
  LeadershipState s{controller_epoch_, leader, leader_epoch, {}, std::move(replicas), zk_version};
  make_follower(s, -1);
}

int32_t Partition::effective_min_isr() const {
  return std::min<int32_t>(settings_.min_insync_replicas,
                           std::max<int32_t>(1, static_cast<int32_t>(replicas_.size())));
}

bool Partition::maybe_advance_high_watermark(int64_t now_ms) {
  if (!is_leader()) return false;
  HighWatermarkInputs in{local_broker_id_, high_watermark_, log_.log_end_offset(), isr_,
                         followers_,       now_ms,          lag_max_ms_,           is_alive_};
  int64_t hw = compute_high_watermark(in);
  if (hw == high_watermark_) return false;
  high_watermark_ = hw;
  return true;
}

FollowerFetchOutcome Partition::update_follower_fetch_state(int32_t replica_id, int64_t fetch_offset,
                                                            int64_t now_ms) {
  FollowerFetchOutcome out;
  auto it = followers_.find(replica_id);
  if (!is_leader() || it == followers_.end()) return out;
  update_fetch_state(it->second, fetch_offset, log_.log_end_offset(), now_ms);
  out.high_watermark_changed = maybe_advance_high_watermark(now_ms);
  bool alive = !is_alive_ || is_alive_(replica_id);
  if (!isr_change_in_flight_ &&
      should_expand_isr(replica_id, isr_, it->second, high_watermark_, leader_epoch_start_offset_, alive)) {
    auto isr = isr_;
    isr.push_back(replica_id);
    std::sort(isr.begin(), isr.end());
    out.expand_isr_to = std::move(isr);
  }
  return out;
}

std::vector<int32_t> Partition::out_of_sync_replicas(int64_t now_ms) const {
  if (!is_leader()) return {};
  return broker::out_of_sync_replicas(local_broker_id_, isr_, followers_, log_.log_end_offset(), now_ms,
                                      lag_max_ms_);
}

bool Partition::commit_isr(std::vector<int32_t> isr, int32_t zk_version, int64_t now_ms) {
  isr_ = std::move(isr);
  zk_version_ = zk_version;
  isr_change_in_flight_ = false;
  return maybe_advance_high_watermark(now_ms);
}

Result<log::AppendInfo, log::LogError> Partition::append_records_as_follower(
    std::span<const uint8_t> records, int64_t leader_high_watermark, int64_t leader_log_start_offset) {
  Result<log::AppendInfo, log::LogError> r = log::AppendInfo{};
  if (!records.empty()) r = log_.append_as_follower(records);
  if (!r) return r;
  if (leader_log_start_offset > log_.log_start_offset())
    log_.maybe_increment_log_start_offset(leader_log_start_offset);
  high_watermark_ = std::min(leader_high_watermark, log_.log_end_offset());
  high_watermark_initialized_ = true;
  return r;
}

void Partition::truncate_to(int64_t offset) {
  log_.truncate_to(offset);
  high_watermark_ = std::min(high_watermark_, log_.log_end_offset());
}

void Partition::truncate_fully_and_start_at(int64_t offset) {
  log_.truncate_fully_and_start_at(offset);
  high_watermark_ = offset;
}

ErrorCode Partition::check_leader_epoch(int32_t current_leader_epoch) const {
  if (current_leader_epoch < 0) return ErrorCode::NONE;
  if (current_leader_epoch < leader_epoch_) return ErrorCode::FENCED_LEADER_EPOCH;
  if (current_leader_epoch > leader_epoch_) return ErrorCode::UNKNOWN_LEADER_EPOCH;
  return ErrorCode::NONE;
}

Result<log::AppendInfo, PartitionError> Partition::append_records_as_leader(std::span<uint8_t> records,
                                                                            int16_t required_acks,
                                                                            int64_t now_ms) {
  if (!is_leader())
    return unexpected(PartitionError{ErrorCode::NOT_LEADER_OR_FOLLOWER, "not the leader", -1});
  if (required_acks == -1 && static_cast<int32_t>(isr_.size()) < effective_min_isr()) {
    return unexpected(PartitionError{ErrorCode::NOT_ENOUGH_REPLICAS,
                                     "ISR size " + std::to_string(isr_.size()) + " < min.insync.replicas " +
                                         std::to_string(effective_min_isr()),
                                     -1});
  }
  ValidationLimits limits;
  limits.max_message_bytes = settings_.log.max_message_bytes;
  auto batches = split_batches(records);
  if (!batches) return unexpected(PartitionError{batches.error().error, batches.error().message, -1});
  if (batches->size() != 1) {
    return unexpected(PartitionError{
        ErrorCode::INVALID_RECORD,
        "produce request must carry exactly one record batch, got " + std::to_string(batches->size()), -1});
  }
  auto v = validate_batch((*batches)[0], limits);
  if (v.error != ErrorCode::NONE) return unexpected(PartitionError{v.error, v.message, v.record_index});
  batch::Header header((*batches)[0].data());
  if (!settings_.log_append_time && header.max_timestamp() >= 0) {
    int64_t ts = header.max_timestamp();
    bool too_old =
        settings_.timestamp_before_max_ms != INT64_MAX && ts < now_ms - settings_.timestamp_before_max_ms;
    bool too_new =
        settings_.timestamp_after_max_ms != INT64_MAX && ts > now_ms + settings_.timestamp_after_max_ms;
    if (too_old || too_new) {
      return unexpected(PartitionError{ErrorCode::INVALID_TIMESTAMP,
                                       "timestamp " + std::to_string(ts) + " is out of the accepted range",
                                       0});
    }
  }
  std::optional<int64_t> append_time;
  if (settings_.log_append_time) append_time = now_ms;
  auto r = log_.append_as_leader((*batches)[0], leader_epoch_, append_time);
  if (!r) return unexpected(PartitionError{log::to_error_code(r.error().kind), r.error().message, -1});
  maybe_advance_high_watermark(now_ms);
  return *r;
}

ReadResult Partition::read(int64_t fetch_offset, int32_t max_bytes, bool up_to_log_end,
                           bool min_one_batch) const {
  ReadResult out;
  out.high_watermark = high_watermark_;
  out.log_start_offset = log_.log_start_offset();
  out.log_end_offset = log_.log_end_offset();
  int64_t max_offset = up_to_log_end ? out.log_end_offset : high_watermark_;
  if (fetch_offset < out.log_start_offset || fetch_offset > out.log_end_offset) {
    out.error = ErrorCode::OFFSET_OUT_OF_RANGE;
    return out;
  }
  if (fetch_offset >= max_offset) return out;
  auto data = log_.read(fetch_offset, max_bytes, max_offset, min_one_batch);
  if (!data) {
    out.error = log::to_error_code(data.error().kind);
    return out;
  }
  out.data = std::move(*data);
  return out;
}

}  // namespace gregor::broker
