// RecordAccumulator: per-partition queues of producer batches, closed by batch.size or linger.ms.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client/error.h"
#include "client/topic_partition.h"
#include "protocol/record.h"
#include "protocol/record_batch.h"

namespace gregor::client {

using Clock = std::chrono::steady_clock;

// Where a record landed: offset -1 when unknown (acks=0, or a retry the broker already had).
struct RecordMetadata {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp = -1;
};

// Runs once per record, in send order per partition; error is set when delivery failed.
using DeliveryCallback = std::function<void(const RecordMetadata&, const std::optional<ClientError>& error)>;

// Records for one partition, built into one RecordBatch v2 when first sent. The bytes (and the
// sequence numbers in them) never change afterwards, so a retry is a byte-identical duplicate
// that an idempotent broker recognises.
struct ProducerBatch {
  TopicPartition tp;
  RecordBatchBuilder builder;
  std::vector<DeliveryCallback> callbacks;  // one per record, may be empty functions
  std::vector<int64_t> timestamps;
  Clock::time_point created;
  std::vector<uint8_t> bytes;  // set when drained
  int32_t base_sequence = -1;
  int attempts = 0;
  Clock::time_point retry_after{};

  ProducerBatch(TopicPartition t, batch::Compression c, int level, Clock::time_point now)
      : tp(std::move(t)), builder(c, level), created(now) {}
  ProducerBatch(TopicPartition t, batch::Compression c, int level, Clock::time_point now, size_t reserve)
      : ProducerBatch(std::move(t), c, level, now) {
    builder.reserve(reserve);
  }
  size_t record_count() const { return builder.record_count(); }
  // Completes every record with its offset (base_offset + index) or the error.
  void complete(int64_t base_offset, const std::optional<ClientError>& error);
};

class RecordAccumulator {
 public:
  struct AppendResult {
    bool new_batch = false;   // the record started a batch (the previous one, if any, is full)
    bool batch_full = false;  // the partition has a full batch ready to send
    // This append made a batch full (it reached batch.size, or the record did not fit and started a
    // new one): the moment to wake the sender and move the sticky partition, once per batch rather
    // than for every record appended while a full batch waits for in-flight room.
    bool newly_full = false;
  };

  RecordAccumulator(size_t batch_size, std::chrono::milliseconds linger, batch::Compression compression,
                    int compression_level = kDefaultCompressionLevel);

  AppendResult append(const TopicPartition& tp, std::optional<std::span<const uint8_t>> key,
                      std::optional<std::span<const uint8_t>> value, const std::vector<RecordHeader>& headers,
                      int64_t timestamp, DeliveryCallback callback,
                      std::optional<Clock::time_point> now = std::nullopt);  // nullopt: read the clock
                                                                             // only if a batch starts

  // Partitions whose first batch may be sent at `now`: it is full (not the last in its queue, or
  // at batch.size), lingered long enough, a retry whose backoff has passed, or a flush is on.
  std::vector<TopicPartition> ready(Clock::time_point now) const;
  // When the next batch becomes ready by linger or backoff (nullopt when nothing waits).
  std::optional<Clock::time_point> next_ready_time() const;

  std::unique_ptr<ProducerBatch> pop(const TopicPartition& tp);
  const ProducerBatch* peek(const TopicPartition& tp) const;
  // Puts a batch back at the head of its queue, among the other returned batches of its partition
  // in sequence order (a retry keeps its place in the order).
  void reenqueue(std::unique_ptr<ProducerBatch> batch);

  // While flushing every batch is ready regardless of linger.
  void set_flushing(bool on) { flushing_ = on; }
  bool empty() const { return batches_ == 0; }
  size_t batch_count() const { return batches_; }
  // Fails every queued batch (close without flush, fatal producer errors); returns the records failed.
  size_t abort_all(const ClientError& error);

 private:
  bool is_full(const ProducerBatch& b, size_t queue_length) const;
  using Queue = std::deque<std::unique_ptr<ProducerBatch>>;
  // The queue of tp, remembering the last one found: a producer usually appends to the same
  // partition many times in a row, and a map lookup compares the topic name every time.
  Queue& queue_for(const TopicPartition& tp);

  // A new batch reserves batch.size up to this (Java's BufferPool hands out batch.size buffers); larger
  // batches grow geometrically, so a partition with a few records does not pin a MiB.
  static constexpr size_t kMaxReserve = 64 * 1024;
  static constexpr size_t kMaxReservedRecords = 512;
  size_t batch_size_;
  std::chrono::milliseconds linger_;
  batch::Compression compression_;
  int compression_level_;
  bool flushing_ = false;
  size_t batches_ = 0;
  size_t records_per_batch_ = 16;  // records in the last batch closed: a reserve() hint
  std::map<TopicPartition, Queue> queues_;
  // queue_for()'s cache; cleared whenever a queue is erased (map references stay valid otherwise).
  const TopicPartition* cached_tp_ = nullptr;
  Queue* cached_queue_ = nullptr;
};

}  // namespace gregor::client
