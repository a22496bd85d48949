// ReplicaManager: partition registry, produce appends, KIP-74 fetch budgeting, delayed fetch completion.
#include "broker/replica_manager.h"

#include <algorithm>

#include "broker/logging.h"

namespace gregor::broker {

ReplicaManager::ReplicaManager(EventLoop& loop, log::LogManager& logs, int32_t broker_id)
    : loop_(loop), logs_(logs), broker_id_(broker_id) {}

Partition* ReplicaManager::partition(const log::TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : it->second.get();
}

Result<Partition*, ErrorCode> ReplicaManager::leader_partition(const log::TopicPartition& tp,
                                                               int32_t current_leader_epoch) const {
  Partition* p = partition(tp);
  if (!p) return unexpected(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
  if (!p->is_leader()) return unexpected(ErrorCode::NOT_LEADER_OR_FOLLOWER);
  if (auto e = p->check_leader_epoch(current_leader_epoch); e != ErrorCode::NONE) return unexpected(e);
  return p;
}

std::vector<Partition*> ReplicaManager::partitions() const {
  std::vector<Partition*> out;
  for (auto& [tp, p] : partitions_) out.push_back(p.get());
  return out;
}

Result<Partition*, std::string> ReplicaManager::get_or_create_partition(const log::TopicPartition& tp,
                                                                        const TopicSettings& settings) {
  if (auto* p = partition(tp)) return p;
  auto log = logs_.get_or_create_log(tp, settings.log);
  if (!log) return unexpected("cannot create log for " + tp.to_string() + ": " + log.error().message);
  auto p = std::make_unique<Partition>(tp, **log, settings, broker_id_);
  auto* raw = p.get();
  partitions_[tp] = std::move(p);
  return raw;
}

void ReplicaManager::remove_partition(const log::TopicPartition& tp, bool delete_log) {
  if (partitions_.count(tp)) notify_leadership(tp, false);
  partitions_.erase(tp);
  if (delete_log) logs_.delete_log(tp);
  // Parked fetches may reference the partition: answer them now (they will see UNKNOWN_TOPIC_OR_PARTITION).
  while (!delayed_.empty()) complete_delayed(delayed_.begin());
}

int64_t ReplicaManager::high_watermark_of(const log::TopicPartition& tp) const {
  auto* p = partition(tp);
  return p ? p->high_watermark() : -1;
}

ProducePartitionResult ReplicaManager::append(const log::TopicPartition& tp, std::span<uint8_t> records, int16_t acks) {
  ProducePartitionResult out;
  Partition* p = partition(tp);
  if (!p) {
    out.error = ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
    return out;
  }
  auto r = p->append_records_as_leader(records, acks, loop_.now_ms());
  if (!r) {
    out.error = r.error().code;
    out.message = r.error().message;
    out.record_index = r.error().record_index;
    if (out.error == ErrorCode::KAFKA_STORAGE_ERROR) {
      logger("broker")->error("[{}] append failed, partition offline: {}", tp.to_string(), out.message);
    }
    return out;
  }
  out.base_offset = r->first_offset;
  out.log_append_time = r->log_append_time;
  out.log_start_offset = p->log_start_offset();
  if (!r->duplicate && !delayed_.empty()) try_complete_delayed();
  return out;
}

std::vector<ReadResult> ReplicaManager::read_all(const FetchParams& params, const std::vector<FetchPartitionSpec>& specs,
                                                 int64_t& total_bytes, bool& any_error) const {
  std::vector<ReadResult> out;
  out.reserve(specs.size());
  int64_t budget = params.max_bytes;
  bool min_one = true;  // KIP-74: the first batch of the first non-empty partition is returned whole
  total_bytes = 0;
  any_error = false;
  for (auto& spec : specs) {
    ReadResult r;
    Partition* p = partition(spec.tp);
    if (!p) {
      r.error = ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
    } else if (!p->is_leader() && params.replica_id < 0) {
      r.error = ErrorCode::NOT_LEADER_OR_FOLLOWER;
    } else if (auto e = p->check_leader_epoch(spec.current_leader_epoch); e != ErrorCode::NONE) {
      r.error = e;
    } else {
      int32_t limit = static_cast<int32_t>(std::min<int64_t>(spec.partition_max_bytes, std::max<int64_t>(budget, 0)));
      r = p->read(spec.fetch_offset, limit, params.replica_id >= 0, min_one);
    }
    if (r.error != ErrorCode::NONE) any_error = true;
    if (r.data.bytes > 0) {
      min_one = false;
      budget -= r.data.bytes;
      total_bytes += r.data.bytes;
    }
    out.push_back(std::move(r));
  }
  return out;
}

void ReplicaManager::fetch(const FetchParams& params, std::vector<FetchPartitionSpec> specs, FetchDone done) {
  int64_t bytes = 0;
  bool any_error = false;
  auto results = read_all(params, specs, bytes, any_error);
  if (params.max_wait_ms <= 0 || bytes >= params.min_bytes || any_error || specs.empty()) {
    done(std::move(results));
    return;
  }
  delayed_.push_back(DelayedFetch{params, std::move(specs), std::move(done), nullptr});
  auto it = std::prev(delayed_.end());
  it->timer = loop_.run_after(std::chrono::milliseconds(params.max_wait_ms), [this, it] { complete_delayed(it); });
}

void ReplicaManager::complete_delayed(std::list<DelayedFetch>::iterator it) {
  int64_t bytes = 0;
  bool any_error = false;
  auto results = read_all(it->params, it->specs, bytes, any_error);
  auto done = std::move(it->done);
  delayed_.erase(it);  // also cancels the timer
  done(std::move(results));
}

void ReplicaManager::try_complete_delayed() {
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    auto next = std::next(it);
    int64_t bytes = 0;
    bool any_error = false;
    read_all(it->params, it->specs, bytes, any_error);
    if (bytes >= it->params.min_bytes || any_error) complete_delayed(it);
    it = next;
  }
}

}  // namespace gregor::broker
