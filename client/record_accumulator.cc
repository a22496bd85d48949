// RecordAccumulator: appending records to batches and choosing which batches are ready.
#include "client/record_accumulator.h"

#include <algorithm>

namespace gregor::client {

void ProducerBatch::complete(int64_t base_offset, const std::optional<ClientError>& error) {
  // One RecordMetadata for the batch: the topic name is copied once, not once per record.
  RecordMetadata md{tp.topic, tp.partition, -1, -1};
  const bool known = base_offset >= 0 && !error;
  for (size_t i = 0; i < callbacks.size(); ++i) {
    if (!callbacks[i]) continue;
    md.offset = known ? base_offset + static_cast<int64_t>(i) : -1;
    md.timestamp = timestamps[i];
    callbacks[i](md, error);
  }
  callbacks.clear();
}

RecordAccumulator::RecordAccumulator(size_t batch_size, std::chrono::milliseconds linger,
                                     batch::Compression compression, int compression_level)
    : batch_size_(batch_size),
      linger_(linger),
      compression_(compression),
      compression_level_(compression_level) {}

RecordAccumulator::AppendResult RecordAccumulator::append(const TopicPartition& tp,
                                                          std::optional<std::span<const uint8_t>> key,
                                                          std::optional<std::span<const uint8_t>> value,
                                                          const std::vector<RecordHeader>& headers,
                                                          int64_t timestamp, DeliveryCallback callback,
                                                          std::optional<Clock::time_point> now) {
  Queue& queue = queue_for(tp);
  AppendResult result;
  ProducerBatch* last = queue.empty() ? nullptr : queue.back().get();
  if (last != nullptr) {
    // A record that would push the batch past batch.size goes to a new batch; a batch already
    // drained (bytes built) or being retried is closed.
    int64_t delta = timestamp - (last->timestamps.empty() ? timestamp : last->timestamps.front());
    size_t next = encoded_record_size(delta, static_cast<int32_t>(last->record_count()), key, value, headers);
    if (!last->bytes.empty() || last->attempts > 0 || last->builder.estimated_size() + next > batch_size_) {
      records_per_batch_ = std::max<size_t>(last->record_count(), 1);
      last = nullptr;
    }
  }
  if (last == nullptr) {
    queue.push_back(std::make_unique<ProducerBatch>(tp, compression_, compression_level_,
                                                    now ? *now : Clock::now(),
                                                    std::min<size_t>(batch_size_, kMaxReserve)));
    ++batches_;
    last = queue.back().get();
    // Room for as many records as the last closed batch held (bounded: many partitions with a few
    // records each must not pin much), so the per-record vectors do not regrow.
    last->callbacks.reserve(std::min(records_per_batch_, kMaxReservedRecords));
    last->timestamps.reserve(std::min(records_per_batch_, kMaxReservedRecords));
    result.new_batch = queue.size() > 1;
  }
  const bool was_full = last->builder.estimated_size() >= batch_size_;
  last->builder.append(key, value, headers, timestamp);
  last->callbacks.push_back(std::move(callback));
  last->timestamps.push_back(timestamp);
  const bool full_now = last->builder.estimated_size() >= batch_size_;
  result.batch_full = queue.size() > 1 || full_now;
  result.newly_full = result.new_batch || (full_now && !was_full);
  return result;
}

RecordAccumulator::Queue& RecordAccumulator::queue_for(const TopicPartition& tp) {
  if (cached_tp_ != nullptr && *cached_tp_ == tp) return *cached_queue_;
  auto it = queues_.try_emplace(tp).first;
  cached_tp_ = &it->first;
  cached_queue_ = &it->second;
  return it->second;
}

bool RecordAccumulator::is_full(const ProducerBatch& b, size_t queue_length) const {
  return queue_length > 1 || b.builder.estimated_size() >= batch_size_;
}

std::vector<TopicPartition> RecordAccumulator::ready(Clock::time_point now) const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, queue] : queues_) {
    if (queue.empty()) continue;
    const ProducerBatch& b = *queue.front();
    if (b.attempts > 0) {
      if (now >= b.retry_after) out.push_back(tp);
    } else if (flushing_ || is_full(b, queue.size()) || now - b.created >= linger_) {
      out.push_back(tp);
    }
  }
  return out;
}

std::optional<Clock::time_point> RecordAccumulator::next_ready_time() const {
  std::optional<Clock::time_point> next;
  for (const auto& [tp, queue] : queues_) {
    if (queue.empty()) continue;
    const ProducerBatch& b = *queue.front();
    Clock::time_point t = b.attempts > 0 ? b.retry_after : b.created + linger_;
    if (!next || t < *next) next = t;
  }
  return next;
}

std::unique_ptr<ProducerBatch> RecordAccumulator::pop(const TopicPartition& tp) {
  auto it = queues_.find(tp);
  if (it == queues_.end() || it->second.empty()) return nullptr;
  auto b = std::move(it->second.front());
  it->second.pop_front();
  if (it->second.empty()) {
    if (cached_queue_ == &it->second) {
      cached_tp_ = nullptr;
      cached_queue_ = nullptr;
    }
    queues_.erase(it);
  }
  --batches_;
  return b;
}

const ProducerBatch* RecordAccumulator::peek(const TopicPartition& tp) const {
  auto it = queues_.find(tp);
  if (it == queues_.end() || it->second.empty()) return nullptr;
  return it->second.front().get();
}

void RecordAccumulator::reenqueue(std::unique_ptr<ProducerBatch> batch) {
  TopicPartition tp = batch->tp;
  Queue& queue = queue_for(tp);
  // Pipelined batches of one partition may come back in any order of errors: keep the numbered
  // ones in sequence order ahead of the not yet numbered ones, so they are resent as first sent.
  auto pos = queue.begin();
  if (batch->base_sequence >= 0) {
    while (pos != queue.end() && (*pos)->base_sequence >= 0 && (*pos)->base_sequence < batch->base_sequence)
      ++pos;
  }
  queue.insert(pos, std::move(batch));
  ++batches_;
}

size_t RecordAccumulator::abort_all(const ClientError& error) {
  auto queues = std::move(queues_);
  queues_.clear();
  cached_tp_ = nullptr;
  cached_queue_ = nullptr;
  batches_ = 0;
  size_t records = 0;
  for (auto& [tp, queue] : queues) {
    for (auto& b : queue) {
      records += b->callbacks.size();
      b->complete(-1, error);
    }
  }
  return records;
}

}  // namespace gregor::client
