// Producer: the sender loop (drain ready batches, group by leader, send, retry) and the blocking API.
#include "client/producer.h"

#include <algorithm>

#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/produce.h"

namespace gregor::client {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Errors after which the partition's leader may have moved: refresh metadata before retrying.
bool needs_metadata(ErrorCode code) {
  return code == ErrorCode::NOT_LEADER_OR_FOLLOWER || code == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION ||
         code == ErrorCode::LEADER_NOT_AVAILABLE || code == ErrorCode::NETWORK_EXCEPTION ||
         code == ErrorCode::REQUEST_TIMED_OUT || code == ErrorCode::FENCED_LEADER_EPOCH ||
         code == ErrorCode::KAFKA_STORAGE_ERROR;
}

}  // namespace

// One Produce request: its batches stay alive until the response (or failure) arrives, because the
// request encodes views of their bytes.
struct Producer::InFlight {
  std::vector<std::unique_ptr<ProducerBatch>> batches;
};

Result<std::unique_ptr<Producer>, ClientError> Producer::create(ProducerConfig config) {
  if (config.acks != 0 && config.acks != 1 && config.acks != -1) {
    return unexpected(make_error(ErrorCode::INVALID_CONFIG, "acks must be 0, 1 or -1 (all)"));
  }
  auto client = KafkaClient::create(config.client);
  if (!client) return unexpected(client.error());
  return std::unique_ptr<Producer>(new Producer(std::move(config), std::move(*client)));
}

Producer::Producer(ProducerConfig config, std::unique_ptr<KafkaClient> client)
    : config_(std::move(config)),
      client_(std::move(client)),
      accumulator_(config_.batch_size, config_.linger, config_.compression, config_.compression_level),
      in_flight_(std::max<size_t>(config_.max_in_flight_per_connection, 1)) {}

Producer::~Producer() {
  // Callbacks must not outlive the producer silently: whatever is left is failed.
  pending_records_ -= accumulator_.abort_all(make_error(ErrorCode::NETWORK_EXCEPTION, "producer destroyed"));
}

Result<const TopicInfo*, ClientError> Producer::topic_metadata(const std::string& topic) {
  const TopicInfo* t = client_->metadata().topic(topic);
  if (t != nullptr && t->error == ErrorCode::NONE && !t->partitions.empty()) return t;
  topics_.insert(topic);
  auto deadline = Clock::now() + config_.max_block;
  ClientError last = make_error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, topic);
  while (Clock::now() < deadline) {
    std::vector<std::string> wanted(topics_.begin(), topics_.end());
    auto md = client_->refresh_metadata(wanted, true, deadline);
    if (md) {
      t = client_->metadata().topic(topic);
      if (t != nullptr && t->error == ErrorCode::NONE && !t->partitions.empty()) return t;
      if (t != nullptr && t->error != ErrorCode::NONE) {
        last = make_error(t->error, "topic " + topic);
        if (!is_retriable(t->error)) return unexpected(last);
      }
    } else {
      last = md.error();
    }
    client_->pause(config_.client.retry_backoff);
  }
  return unexpected(make_error(
      last.code, "no metadata for topic " + topic + " within max.block.ms (" + last.to_string() + ")"));
}

Result<void, ClientError> Producer::send(ProducerRecord record, DeliveryCallback callback) {
  auto key = record.key ? std::optional<std::span<const uint8_t>>(*record.key) : std::nullopt;
  auto value = record.value ? std::optional<std::span<const uint8_t>>(*record.value) : std::nullopt;
  return send(
      ProducerRecordView{record.topic, record.partition, key, value, record.headers, record.timestamp},
      std::move(callback));
}

Result<void, ClientError> Producer::send(const ProducerRecordView& record, DeliveryCallback callback) {
  if (fatal_) return unexpected(*fatal_);
  auto topic = topic_metadata(record.topic);
  if (!topic) return unexpected(topic.error());
  int32_t num_partitions = static_cast<int32_t>((*topic)->partitions.size());
  const auto& key = record.key;
  const auto& value = record.value;
  int32_t partition;
  if (record.partition) {
    partition = *record.partition;
    if (partition < 0 || partition >= num_partitions) {
      return unexpected(make_error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                                   "partition " + std::to_string(partition) + " of " + record.topic +
                                       " does not exist (" + std::to_string(num_partitions) +
                                       " partitions)"));
    }
  } else if (key) {
    partition = partitioner_.partition(record.topic, key, num_partitions, {});  // murmur2: no list needed
  } else if (auto sticky = partitioner_.sticky_partition(record.topic, num_partitions)) {
    partition = *sticky;  // the common null-key case: no list of available partitions to build
  } else {
    std::vector<int32_t> available;
    for (const auto& p : (*topic)->partitions) {
      if (p.leader >= 0) available.push_back(p.partition);
    }
    partition = partitioner_.partition(record.topic, key, num_partitions, available);
  }
  int64_t timestamp = record.timestamp >= 0 ? record.timestamp : now_ms();
  TopicPartition tp{record.topic, partition};
  auto result = accumulator_.append(tp, key, value, record.headers, timestamp, std::move(callback));
  ++pending_records_;
  // Once per batch, when it fills: a full batch waiting for in-flight room stays full until a
  // response arrives (in poll()), so running the sender for every later record would find nothing
  // new to send, and the sticky partition moves on once per batch (as Java's after batch.size bytes).
  if (!result.newly_full) return {};
  if (!key && !record.partition) partitioner_.on_new_batch(record.topic, partition);
  run_sender();
  return {};
}

void Producer::poll(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  do {
    run_sender();
    auto now = Clock::now();
    // Rounded up: truncated, a wait under 1 ms became 0 and poll(1ms) spun on epoll_wait(0).
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    // A batch that becomes ready later (linger, retry backoff) bounds the wait. One ready already
    // was just left unsent by run_sender (in-flight limit, no connection or leader yet): only I/O
    // can change that, so wait for it rather than spin on a zero timeout.
    if (auto next = accumulator_.next_ready_time(); next && *next > now) {
      auto until_ready = std::chrono::ceil<std::chrono::milliseconds>(*next - now);
      wait = std::min(wait, until_ready);
    }
    client_->run_once(std::clamp(wait, std::chrono::milliseconds(0), std::chrono::milliseconds(100)));
    run_sender();
  } while (Clock::now() < deadline);
}

Result<void, ClientError> Producer::flush(std::chrono::milliseconds timeout) {
  accumulator_.set_flushing(true);
  auto deadline = Clock::now() + timeout;
  bool done = client_->run_until(
      [this] {
        run_sender();
        return (pending_records_ == 0 && !client_->has_unsent()) || fatal_.has_value();
      },
      deadline);
  accumulator_.set_flushing(false);
  if (fatal_) return unexpected(*fatal_);
  if (!done) {
    return unexpected(
        make_error(ErrorCode::REQUEST_TIMED_OUT,
                   std::to_string(pending_records_) + " records still undelivered after flush timeout"));
  }
  return {};
}

Result<void, ClientError> Producer::close(std::chrono::milliseconds timeout) {
  auto r = flush(timeout);
  pending_records_ -=
      accumulator_.abort_all(make_error(ErrorCode::REQUEST_TIMED_OUT, "producer closed before delivery"));
  return r;
}

void Producer::maybe_init_producer_id() {
  if (!idempotent() || producer_id_ >= 0 || init_pid_in_flight_ || Clock::now() < next_pid_attempt_) return;
  init_pid_in_flight_ = true;
  InitProducerIdRequest req;
  req.transaction_timeout_ms = 60000;
  client_->send<InitProducerIdResponse>(
      client_->any_connection(), req, [this](Result<InitProducerIdResponse, ClientError> r) {
        init_pid_in_flight_ = false;
        ErrorCode code = r ? static_cast<ErrorCode>(r->error_code) : r.error().code;
        if (r && code == ErrorCode::NONE) {
          producer_id_ = r->producer_id;
          producer_epoch_ = r->producer_epoch;
        } else if (!is_retriable(code) && code != ErrorCode::NETWORK_EXCEPTION) {
          fatal_ = r ? make_error(code, "InitProducerId failed") : r.error();
          pending_records_ -= accumulator_.abort_all(*fatal_);
        } else {
          next_pid_attempt_ = Clock::now() + config_.client.retry_backoff;
        }
      });
}

void Producer::maybe_refresh_metadata() {
  if (!metadata_stale_ || metadata_in_flight_ || Clock::now() < next_metadata_attempt_) return;
  metadata_in_flight_ = true;
  MetadataRequest req;
  req.topics.emplace();
  for (const auto& t : topics_) req.topics->push_back({t});
  client_->send<MetadataResponse>(client_->any_connection(), req,
                                  [this](Result<MetadataResponse, ClientError> r) {
                                    metadata_in_flight_ = false;
                                    next_metadata_attempt_ = Clock::now() + config_.client.retry_backoff;
                                    if (!r) return;
                                    client_->update_metadata(*r, false);
                                    metadata_stale_ = false;
                                    for (const auto& t : r->topics) {
                                      for (const auto& p : t.partitions) {
                                        if (p.error_code != 0 || p.leader_id < 0) metadata_stale_ = true;
                                      }
                                    }
                                  });
}

void Producer::run_sender() {
  maybe_refresh_metadata();
  if (fatal_) return;
  if (idempotent() && producer_id_ < 0) {
    if (!accumulator_.empty()) maybe_init_producer_id();
    return;
  }
  // Each round builds at most one request per broker (one batch per partition per request);
  // rounds go on while batches and in-flight room remain, so a partition can have several
  // batches in flight.
  while (drain_once()) {
  }
}

bool Producer::drain_once() {
  auto now = Clock::now();
  std::map<int32_t, std::vector<std::unique_ptr<ProducerBatch>>> by_node;
  std::map<int32_t, size_t> request_bytes;
  for (const TopicPartition& tp : accumulator_.ready(now)) {
    auto leader = client_->metadata().leader_for(tp.topic, tp.partition);
    if (!leader) {
      metadata_stale_ = true;
      topics_.insert(tp.topic);
      continue;
    }
    const ProducerBatch* head = accumulator_.peek(tp);
    if (!in_flight_.can_send(tp, *leader, head->attempts > 0)) continue;
    Connection* conn = client_->connection(*leader);
    if (conn == nullptr || conn->in_flight() >= config_.max_in_flight_per_connection) continue;
    size_t size = head->bytes.empty() ? head->builder.estimated_size() : head->bytes.size();
    if (!by_node[*leader].empty() && request_bytes[*leader] + size > config_.max_request_size) continue;
    request_bytes[*leader] += size;
    auto batch = accumulator_.pop(tp);
    if (batch->bytes.empty()) {
      if (idempotent()) {
        int32_t& seq = next_sequence_[tp];
        batch->base_sequence = seq;
        batch->builder.set_producer(producer_id_, producer_epoch_, seq);
        seq += static_cast<int32_t>(batch->record_count());  // wraps at INT32_MAX as Java does (rare)
      }
      batch->bytes = batch->builder.release();
    }
    in_flight_.sent(tp, *leader);
    by_node[*leader].push_back(std::move(batch));
  }
  bool sent = false;
  for (auto& [node, batches] : by_node) {
    if (batches.empty()) continue;
    send_batches(node, std::move(batches));
    sent = true;
  }
  return sent;
}

void Producer::send_batches(int32_t node, std::vector<std::unique_ptr<ProducerBatch>> batches) {
  auto request = std::make_shared<InFlight>();
  request->batches = std::move(batches);
  ProduceRequest req;
  req.acks = config_.acks;
  req.timeout_ms = static_cast<int32_t>(config_.client.request_timeout.count());
  for (auto& b : request->batches) {
    ++b->attempts;
    auto it = std::ranges::find(req.topic_data, b->tp.topic, &ProduceRequest::TopicData::name);
    if (it == req.topic_data.end()) {
      req.topic_data.push_back({b->tp.topic, {}});
      it = req.topic_data.end() - 1;
    }
    it->partition_data.push_back({b->tp.partition, std::span<uint8_t>(b->bytes)});
  }
  Connection* conn = client_->connection(node);
  ++requests_in_flight_;
  if (config_.acks == 0) {
    // No response will come: the request is done once it is handed to the connection. It may wait
    // for the connection's negotiation, so it keeps the batch bytes it views alive.
    conn->send(
        ProduceRequest::kApiKey, [req, request](Writer& w, int16_t v) { req.encode(w, v); }, nullptr);
    --requests_in_flight_;
    for (auto& b : request->batches) {
      in_flight_.answered(b->tp);
      finish(*b, -1, std::nullopt);
    }
    return;
  }
  client_->send<ProduceResponse>(conn, req, [this, node, request](Result<ProduceResponse, ClientError> r) {
    handle_response(node, request, std::move(r));
  });
}

void Producer::handle_response(int32_t, const std::shared_ptr<InFlight>& request,
                               Result<ProduceResponse, ClientError> response) {
  --requests_in_flight_;
  for (auto& b : request->batches) {
    in_flight_.answered(b->tp);
    if (!response) {
      retry_or_fail(std::move(b), response.error());
      continue;
    }
    const ProduceResponse::PartitionProduceResponse* found = nullptr;
    for (const auto& t : response->responses) {
      if (t.name != b->tp.topic) continue;
      for (const auto& p : t.partition_responses) {
        if (p.index == b->tp.partition) found = &p;
      }
    }
    if (found == nullptr) {
      retry_or_fail(std::move(b),
                    make_error(ErrorCode::UNKNOWN_SERVER_ERROR, "partition missing from response"));
      continue;
    }
    auto code = static_cast<ErrorCode>(found->error_code);
    if (code == ErrorCode::NONE) {
      finish(*b, found->base_offset, std::nullopt);
    } else if (code == ErrorCode::DUPLICATE_SEQUENCE_NUMBER) {
      finish(*b, -1, std::nullopt);  // an earlier attempt was written: delivered once
    } else {
      retry_or_fail(std::move(b), make_error(code, found->error_message.value_or("")));
    }
  }
}

void Producer::retry_or_fail(std::unique_ptr<ProducerBatch> batch, const ClientError& error) {
  bool retriable = error.retriable() || error.code == ErrorCode::NETWORK_EXCEPTION;
  if (error.code == ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER && batch->base_sequence >= 0) {
    // Pipelined behind a batch that failed: the broker refused the gap, resend after that one.
    auto acked = acked_sequence_.find(batch->tp);
    retriable = batch->base_sequence > (acked == acked_sequence_.end() ? 0 : acked->second);
  }
  if (retriable && Clock::now() - batch->created < config_.delivery_timeout) {
    if (needs_metadata(error.code)) metadata_stale_ = true;
    batch->retry_after = Clock::now() + config_.client.retry_backoff;
    accumulator_.reenqueue(std::move(batch));
    return;
  }
  finish(*batch, -1, error);
}

void Producer::finish(ProducerBatch& batch, int64_t base_offset, const std::optional<ClientError>& error) {
  if (!error && batch.base_sequence >= 0) {
    int32_t& acked = acked_sequence_[batch.tp];
    acked = std::max(acked, batch.base_sequence + static_cast<int32_t>(batch.record_count()));
  }
  pending_records_ -= batch.callbacks.size();
  ++batches_completed_;
  batch.complete(base_offset, error);
}

}  // namespace gregor::client
