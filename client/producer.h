// Producer: batching, compressing, idempotent Kafka producer on a KafkaClient (blocking API over the loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/in_flight_batches.h"
#include "client/kafka_client.h"
#include "client/partitioner.h"
#include "client/record_accumulator.h"
#include "protocol/messages/produce.h"

namespace gregor::client {

struct ProducerConfig {
  ClientConfig client;
  int16_t acks = -1;  // 0, 1 or -1 (all)
  std::chrono::milliseconds linger{5};
  size_t batch_size = 16384;
  batch::Compression compression = batch::Compression::none;
  int compression_level = kDefaultCompressionLevel;
  // Idempotence needs acks=all (as in Java); with other acks it is off.
  bool enable_idempotence = true;
  std::chrono::milliseconds delivery_timeout{120000};
  std::chrono::milliseconds max_block{60000};  // waiting for metadata in send()
  size_t max_in_flight_per_connection = 5;
  size_t max_request_size = 1048576;
};

struct ProducerRecord {
  std::string topic;
  std::optional<int32_t> partition;
  std::optional<std::vector<uint8_t>> key;
  std::optional<std::vector<uint8_t>> value;
  std::vector<RecordHeader> headers;
  int64_t timestamp = -1;  // -1: now
};

// A record whose bytes the caller keeps: send() copies key and value into the batch before it
// returns, so one buffer can serve every record (no allocation per record, as librdkafka without
// RD_KAFKA_MSG_F_COPY).
struct ProducerRecordView {
  const std::string& topic;
  std::optional<int32_t> partition;
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
  const std::vector<RecordHeader>& headers;
  int64_t timestamp = -1;  // -1: now
};

// Records go to per-partition batches; a batch is sent when full (batch.size), after linger.ms,
// or on flush(). Batches for partitions led by the same broker share one Produce request, and up
// to max_in_flight_per_connection requests may be in flight per connection. With idempotence (the
// default) the producer gets a producer id first, numbers every batch when it is first sent, and
// pipelines up to max_in_flight_per_connection batches per partition (as Java does): the broker
// keeps the last 5 batches per producer, answers a duplicate with its original offsets and refuses
// a gap with OUT_OF_ORDER_SEQUENCE_NUMBER. After a retriable error the failed batches of the
// partition go back to the head of its queue in sequence order and are resent byte for byte, in
// order. Without idempotence the same number of batches may be in flight, and a retry can land
// after a later batch, as in Java; set max_in_flight_per_connection = 1 to keep the order then.
// Retriable errors (leader moved, timeouts, network) refresh metadata and retry until
// delivery.timeout.ms.
class Producer {
 public:
  static Result<std::unique_ptr<Producer>, ClientError> create(ProducerConfig config);
  ~Producer();

  // Queues a record. Fails at once only when the topic's partitions cannot be learned within
  // max.block.ms or the record names a partition that does not exist; everything later is
  // reported through the callback (run from poll()/flush()).
  Result<void, ClientError> send(ProducerRecord record, DeliveryCallback callback = {});
  Result<void, ClientError> send(const ProducerRecordView& record, DeliveryCallback callback = {});
  // Sends what is ready and delivers callbacks for up to `timeout`.
  void poll(std::chrono::milliseconds timeout);
  // Sends everything queued and waits for every answer.
  Result<void, ClientError> flush(std::chrono::milliseconds timeout);
  // flush(), then fails whatever is still queued.
  Result<void, ClientError> close(std::chrono::milliseconds timeout);

  // Records accepted by send() whose callback has not run yet.
  size_t pending() const { return pending_records_; }
  // Sent batches finished (acknowledged or failed): it moves on just before a batch's callbacks run,
  // so a callback can tell the first record of a batch from the next ones (and read a clock once).
  uint64_t batches_completed() const { return batches_completed_; }
  KafkaClient& client() { return *client_; }
  int64_t producer_id() const { return producer_id_; }
  // The most batches of one partition ever in flight together (at most max_in_flight_per_connection
  // with idempotence, 1 without).
  size_t max_batches_in_flight_per_partition() const { return in_flight_.max_seen(); }

 private:
  Producer(ProducerConfig config, std::unique_ptr<KafkaClient> client);
  struct InFlight;

  bool idempotent() const { return config_.enable_idempotence && config_.acks == -1; }
  Result<const TopicInfo*, ClientError> topic_metadata(const std::string& topic);
  void run_sender();
  bool drain_once();
  void maybe_init_producer_id();
  void maybe_refresh_metadata();
  void send_batches(int32_t node, std::vector<std::unique_ptr<ProducerBatch>> batches);
  void handle_response(int32_t node, const std::shared_ptr<InFlight>& request,
                       Result<ProduceResponse, ClientError> response);
  void retry_or_fail(std::unique_ptr<ProducerBatch> batch, const ClientError& error);
  void finish(ProducerBatch& batch, int64_t base_offset, const std::optional<ClientError>& error);

  ProducerConfig config_;
  std::unique_ptr<KafkaClient> client_;
  DefaultPartitioner partitioner_;
  RecordAccumulator accumulator_;
  size_t pending_records_ = 0;
  uint64_t batches_completed_ = 0;
  size_t requests_in_flight_ = 0;
  InFlightBatches in_flight_;
  std::map<TopicPartition, int32_t> next_sequence_;
  std::map<TopicPartition, int32_t> acked_sequence_;  // next sequence after the last acknowledged batch
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  bool init_pid_in_flight_ = false;
  std::optional<ClientError> fatal_;
  bool metadata_stale_ = false;
  bool metadata_in_flight_ = false;
  Clock::time_point next_metadata_attempt_{};
  Clock::time_point next_pid_attempt_{};
  std::set<std::string> topics_;
};

}  // namespace gregor::client
