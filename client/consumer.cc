// Consumer: offsets (ListOffsets), fetch pipelining and record decoding.
#include "client/consumer.h"

#include <algorithm>
#include <cstdio>

#include "protocol/messages/fetch.h"
#include "protocol/record_batch.h"

namespace gregor::client {

namespace {

bool leader_moved(ErrorCode code) {
  return code == ErrorCode::NOT_LEADER_OR_FOLLOWER || code == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION ||
         code == ErrorCode::LEADER_NOT_AVAILABLE || code == ErrorCode::FENCED_LEADER_EPOCH ||
         code == ErrorCode::UNKNOWN_LEADER_EPOCH || code == ErrorCode::KAFKA_STORAGE_ERROR ||
         code == ErrorCode::NETWORK_EXCEPTION || code == ErrorCode::REQUEST_TIMED_OUT;
}

}  // namespace

Result<std::unique_ptr<Consumer>, ClientError> Consumer::create(ConsumerConfig config) {
  if (config.auto_offset_reset != "earliest" && config.auto_offset_reset != "latest" &&
      config.auto_offset_reset != "none") {
    return unexpected(
        make_error(ErrorCode::INVALID_CONFIG, "auto.offset.reset must be earliest, latest or none"));
  }
  auto client = KafkaClient::create(config.client);
  if (!client) return unexpected(client.error());
  return std::unique_ptr<Consumer>(new Consumer(std::move(config), std::move(*client)));
}

Consumer::Consumer(ConsumerConfig config, std::unique_ptr<KafkaClient> client)
    : config_(std::move(config)), client_(std::move(client)) {}

Consumer::~Consumer() {
  // A destructor cannot return the error; callers who care call close() first.
  if (coordinator_) (void)close();
}

Result<void, ClientError> Consumer::subscribe(std::vector<std::string> topics, GroupConfig group,
                                              RebalanceListener listener) {
  if (group.group_id.empty()) return unexpected(make_error(ErrorCode::INVALID_GROUP_ID, "empty group.id"));
  if (topics.empty()) return unexpected(make_error(ErrorCode::INVALID_CONFIG, "subscribe to no topics"));
  if (!assignment_.empty() && !coordinator_) {
    return unexpected(make_error(ErrorCode::INVALID_CONFIG, "subscribe after assign"));
  }
  if (group.assignment_strategies.empty()) {
    return unexpected(make_error(ErrorCode::INVALID_CONFIG, "no partition.assignment.strategy"));
  }
  for (const auto& s : group.assignment_strategies) {
    if (s != "range" && s != "roundrobin") {
      return unexpected(make_error(ErrorCode::INVALID_CONFIG, "unknown assignment strategy " + s));
    }
  }
  if (group.heartbeat_interval >= group.session_timeout) {
    return unexpected(
        make_error(ErrorCode::INVALID_CONFIG, "heartbeat.interval.ms must be below session.timeout.ms"));
  }
  if (coordinator_) {
    if (auto r = close(); !r) return r;
  }
  coordinator_ = std::make_unique<ConsumerCoordinator>(*client_, std::move(group), std::move(topics));
  listener_ = std::move(listener);
  has_joined_ = false;
  return {};
}

std::map<TopicPartition, int64_t> Consumer::consumed_offsets() const {
  std::map<TopicPartition, int64_t> out;
  for (const auto& tp : assignment_) {
    auto it = state_.find(tp);
    if (it != state_.end() && it->second.consumed) out[tp] = *it->second.consumed;
  }
  return out;
}

Result<void, ClientError> Consumer::commit() { return commit(consumed_offsets()); }

Result<void, ClientError> Consumer::commit(const std::map<TopicPartition, int64_t>& offsets) {
  if (!coordinator_) return unexpected(make_error(ErrorCode::INVALID_GROUP_ID, "commit without subscribe"));
  return coordinator_->commit(offsets, Clock::now() + config_.client.request_timeout);
}

void Consumer::commit_async(std::function<void(Result<void, ClientError>)> done) {
  if (!coordinator_) {
    if (done) done(unexpected(make_error(ErrorCode::INVALID_GROUP_ID, "commit without subscribe")));
    return;
  }
  coordinator_->commit_async(consumed_offsets(), std::move(done));
}

Result<std::map<TopicPartition, int64_t>, ClientError> Consumer::committed(
    const std::vector<TopicPartition>& tps) {
  if (!coordinator_) return unexpected(make_error(ErrorCode::INVALID_GROUP_ID, "no group"));
  return coordinator_->fetch_committed(tps, Clock::now() + config_.client.request_timeout);
}

void Consumer::report_commit_error(const ClientError& e) const {
  // Auto commits have no caller to return to; Java logs them the same way.
  std::fprintf(stderr, "gregor consumer: auto commit failed: %s\n", e.to_string().c_str());
}

void Consumer::maybe_auto_commit() {
  if (!coordinator_ || !coordinator_->config().enable_auto_commit || Clock::now() < next_auto_commit_) return;
  next_auto_commit_ = Clock::now() + coordinator_->config().auto_commit_interval;
  coordinator_->commit_async(consumed_offsets(), [this](Result<void, ClientError> r) {
    // REBALANCE_IN_PROGRESS and friends: the commit before rejoining covers these offsets.
    if (!r && !is_retriable(r.error().code) && r.error().code != ErrorCode::ILLEGAL_GENERATION &&
        r.error().code != ErrorCode::UNKNOWN_MEMBER_ID) {
      report_commit_error(r.error());
    }
  });
}

Result<void, ClientError> Consumer::close() {
  if (!coordinator_) return {};
  std::optional<ClientError> first;
  if (has_joined_ && !coordinator_->rejoin_needed()) {
    if (coordinator_->config().enable_auto_commit) {
      if (auto r = commit(); !r) first = r.error();
    }
    if (listener_.on_partitions_revoked) listener_.on_partitions_revoked(assignment_);
  }
  auto left = coordinator_->leave(Clock::now() + config_.client.request_timeout);
  if (!left && !first) first = left.error();
  coordinator_.reset();
  assignment_.clear();
  state_.clear();
  drop_buffered([](const TopicPartition&) { return true; });
  has_joined_ = false;
  if (first) return unexpected(*first);
  return {};
}

Result<void, ClientError> Consumer::rebalance() {
  if (has_joined_) {
    // Eager protocol: give everything up (committing it first) before joining again.
    if (coordinator_->config().enable_auto_commit) {
      if (auto r = commit(); !r) report_commit_error(r.error());
    }
    if (listener_.on_partitions_revoked) listener_.on_partitions_revoked(assignment_);
    has_joined_ = false;
  }
  assignment_.clear();
  state_.clear();
  drop_buffered([](const TopicPartition&) { return true; });
  const GroupConfig& g = coordinator_->config();
  auto parts = coordinator_->join(Clock::now() + g.rebalance_timeout + config_.client.request_timeout);
  if (!parts) return unexpected(parts.error());
  has_joined_ = true;
  need_committed_ = true;
  if (auto r = assign(*parts); !r) {
    // The group gave us these partitions: keep them even when metadata is not there yet (a leader
    // moving); fetching waits for a leader.
    assignment_ = *parts;
    for (const auto& tp : assignment_) state_[tp];
    metadata_stale_ = true;
    if (!r.error().retriable()) return r;
  }
  next_auto_commit_ = Clock::now() + g.auto_commit_interval;
  return {};
}

Result<void, ClientError> Consumer::maintain_group(Clock::time_point deadline) {
  if (!coordinator_->rejoin_needed()) {
    if (auto r = coordinator_->ensure_coordinator_ready(deadline); !r) return r;
  }
  if (coordinator_->rejoin_needed()) {
    if (auto r = rebalance(); !r) return r;
  }
  if (need_committed_) {
    auto committed = coordinator_->fetch_committed(
        assignment_, std::max(deadline, Clock::now() + config_.client.request_timeout));
    if (!committed) return unexpected(committed.error());
    for (const auto& [tp, offset] : *committed) seek(tp, offset);
    need_committed_ = false;
    if (listener_.on_partitions_assigned) listener_.on_partitions_assigned(assignment_);
  }
  maybe_auto_commit();
  return {};
}

Result<void, ClientError> Consumer::ensure_metadata(const std::vector<TopicPartition>& tps) {
  std::set<std::string> topics;
  for (const auto& tp : tps) topics.insert(tp.topic);
  auto deadline = Clock::now() + config_.client.request_timeout;
  while (true) {
    auto md =
        client_->refresh_metadata(std::vector<std::string>(topics.begin(), topics.end()), false, deadline);
    if (!md) return unexpected(md.error());
    bool leaders_known = true;
    for (const auto& tp : tps) {
      const TopicInfo* t = (*md)->topic(tp.topic);
      if (t == nullptr || t->error == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION) {
        return unexpected(
            make_error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, "topic " + tp.topic + " does not exist"));
      }
      if (t->error != ErrorCode::NONE && !is_retriable(t->error)) {
        return unexpected(make_error(t->error, "topic " + tp.topic));
      }
      bool exists = std::ranges::any_of(t->partitions,
                                        [&](const PartitionInfo& p) { return p.partition == tp.partition; });
      if (t->error == ErrorCode::NONE && !exists) {
        return unexpected(
            make_error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                       "partition " + std::to_string(tp.partition) + " of " + tp.topic + " does not exist"));
      }
      if (!(*md)->leader_for(tp.topic, tp.partition)) leaders_known = false;
    }
    if (leaders_known) return {};
    if (Clock::now() >= deadline) {
      return unexpected(
          make_error(ErrorCode::LEADER_NOT_AVAILABLE, "no leader for some assigned partitions"));
    }
    client_->pause(config_.client.retry_backoff);
  }
}

Result<std::vector<TopicPartition>, ClientError> Consumer::partitions_for(const std::string& topic) {
  auto md = client_->refresh_metadata(std::vector<std::string>{topic}, false,
                                      Clock::now() + config_.client.request_timeout);
  if (!md) return unexpected(md.error());
  const TopicInfo* t = (*md)->topic(topic);
  if (t == nullptr || t->error != ErrorCode::NONE) {
    return unexpected(make_error(t ? t->error : ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, "topic " + topic));
  }
  std::vector<TopicPartition> out;
  for (const auto& p : t->partitions) out.push_back({topic, p.partition});
  return out;
}

Result<void, ClientError> Consumer::assign(const std::vector<TopicPartition>& partitions) {
  if (auto r = ensure_metadata(partitions); !r) return r;
  assignment_ = partitions;
  std::map<TopicPartition, PartitionState> kept;
  for (const auto& tp : partitions) kept[tp] = state_[tp];
  state_ = std::move(kept);
  drop_buffered([this](const TopicPartition& tp) { return !state_.contains(tp); });
  return {};
}

void Consumer::seek(const TopicPartition& tp, int64_t offset) {
  auto& s = state_[tp];
  s.position = offset;
  s.consumed = offset;
  ++s.seek_generation;
  drop_buffered([&tp](const TopicPartition& buffered) { return buffered == tp; });
}

std::optional<int64_t> Consumer::position(const TopicPartition& tp) const {
  auto it = state_.find(tp);
  return it == state_.end() ? std::nullopt : it->second.position;
}

std::optional<int64_t> Consumer::high_watermark(const TopicPartition& tp) const {
  auto it = state_.find(tp);
  return it == state_.end() ? std::nullopt : it->second.high_watermark;
}

Result<std::map<TopicPartition, int64_t>, ClientError> Consumer::list_offsets(
    const std::vector<TopicPartition>& tps, int64_t timestamp) {
  return client::list_offsets(*client_, tps, timestamp, Clock::now() + config_.client.request_timeout);
}

Result<void, ClientError> Consumer::seek_to_beginning(const std::vector<TopicPartition>& tps) {
  auto offsets = list_offsets(tps, kEarliestTimestamp);
  if (!offsets) return unexpected(offsets.error());
  for (const auto& [tp, offset] : *offsets) seek(tp, offset);
  return {};
}

Result<void, ClientError> Consumer::seek_to_end(const std::vector<TopicPartition>& tps) {
  auto offsets = list_offsets(tps, kLatestTimestamp);
  if (!offsets) return unexpected(offsets.error());
  for (const auto& [tp, offset] : *offsets) seek(tp, offset);
  return {};
}

Result<void, ClientError> Consumer::seek_to_timestamp(const std::vector<TopicPartition>& tps,
                                                      int64_t timestamp_ms) {
  auto offsets = list_offsets(tps, timestamp_ms);
  if (!offsets) return unexpected(offsets.error());
  std::vector<TopicPartition> none;
  for (const auto& [tp, offset] : *offsets) {
    if (offset >= 0) {
      seek(tp, offset);
    } else {
      none.push_back(tp);  // no record that late: start at the end
    }
  }
  if (!none.empty()) return seek_to_end(none);
  return {};
}

Result<void, ClientError> Consumer::reset_missing_positions() {
  std::vector<TopicPartition> missing;
  for (const auto& tp : assignment_) {
    if (!state_[tp].position) missing.push_back(tp);
  }
  if (missing.empty()) return {};
  if (config_.auto_offset_reset == "none") {
    return unexpected(make_error(
        ErrorCode::OFFSET_OUT_OF_RANGE,
        "no position for " + missing.front().topic + "-" + std::to_string(missing.front().partition)));
  }
  return config_.auto_offset_reset == "earliest" ? seek_to_beginning(missing) : seek_to_end(missing);
}

void Consumer::maybe_refresh_metadata() {
  if (!metadata_stale_ || metadata_in_flight_ || Clock::now() < next_metadata_attempt_) return;
  metadata_in_flight_ = true;
  next_metadata_attempt_ = Clock::now() + config_.client.retry_backoff;
  MetadataRequest req;
  req.topics.emplace();
  std::set<std::string> topics;
  for (const auto& tp : assignment_) topics.insert(tp.topic);
  for (const auto& t : topics) req.topics->push_back({t});
  req.allow_auto_topic_creation = false;
  client_->send<MetadataResponse>(client_->any_connection(), req,
                                  [this](Result<MetadataResponse, ClientError> r) {
                                    metadata_in_flight_ = false;
                                    if (!r) return;
                                    client_->update_metadata(*r, false);
                                    metadata_stale_ = false;
                                  });
}

void Consumer::send_fetches() {
  maybe_refresh_metadata();
  std::map<int32_t, FetchRequest> by_leader;
  std::map<int32_t, std::map<TopicPartition, std::pair<int64_t, uint64_t>>> sent;  // offset, generation
  for (const auto& tp : assignment_) {
    const auto& s = state_[tp];
    if (!s.position) continue;
    auto leader = client_->metadata().leader_for(tp.topic, tp.partition);
    if (!leader) {
      metadata_stale_ = true;
      continue;
    }
    if (fetching_nodes_.contains(*leader)) continue;
    auto& req = by_leader[*leader];
    auto it = std::ranges::find(req.topics, tp.topic, &FetchRequest::FetchTopic::topic);
    if (it == req.topics.end()) {
      req.topics.push_back({tp.topic, {}});
      it = req.topics.end() - 1;
    }
    it->partitions.push_back({tp.partition, -1, *s.position, -1, config_.max_partition_fetch_bytes});
    sent[*leader][tp] = {*s.position, s.seek_generation};
  }
  for (auto& [leader, req] : by_leader) {
    req.max_wait_ms = config_.fetch_max_wait_ms;
    req.min_bytes = config_.fetch_min_bytes;
    req.max_bytes = config_.fetch_max_bytes;
    Connection* conn = client_->connection(leader);
    if (conn == nullptr) continue;
    fetching_nodes_.insert(leader);
    auto positions = std::move(sent[leader]);
    client_->send<FetchResponse>(conn, req, [this, leader, positions](Result<FetchResponse, ClientError> r) {
      fetching_nodes_.erase(leader);
      if (!r) {
        metadata_stale_ = true;
        return;
      }
      if (r->error_code != 0) {
        auto code = static_cast<ErrorCode>(r->error_code);
        if (is_retriable(code)) {
          metadata_stale_ = true;
        } else {
          fetch_error_ = make_error(code, "fetch");
        }
        return;
      }
      for (auto& t : r->responses) {
        for (auto& p : t.partitions) {
          TopicPartition tp{t.topic, p.partition_index};
          auto sent_at = positions.find(tp);
          auto st = state_.find(tp);
          if (sent_at == positions.end() || st == state_.end()) continue;
          PartitionState& s = st->second;
          if (s.seek_generation != sent_at->second.second || s.position != sent_at->second.first) continue;
          auto code = static_cast<ErrorCode>(p.error_code);
          if (code == ErrorCode::OFFSET_OUT_OF_RANGE) {
            s.position.reset();  // poll() resets it with auto.offset.reset
            continue;
          }
          if (code != ErrorCode::NONE) {
            if (leader_moved(code) || is_retriable(code)) {
              metadata_stale_ = true;
            } else {
              fetch_error_ = make_error(code, "fetch " + tp.topic + "-" + std::to_string(tp.partition));
            }
            continue;
          }
          s.high_watermark = p.high_watermark;
          buffer_fetched(tp, s, std::move(std::get<std::vector<uint8_t>>(p.records)));
        }
      }
      // Pipelining: ask for the next data now, while the application works through this batch.
      if (buffered_records_ < config_.max_poll_records) send_fetches();
    });
  }
}

void Consumer::buffer_fetched(const TopicPartition& tp, PartitionState& s, std::vector<uint8_t> records) {
  auto chunk = std::make_unique<FetchedChunk>();
  chunk->tp = tp;
  chunk->bytes = std::move(records);
  const std::string_view topic = chunk->tp.topic;  // the chunk is on the heap: the view stays valid
  int64_t position = *s.position;
  int64_t batch_first = position;  // records below it were returned before
  bool skip_batch = false;
  auto visited = visit_batches(
      chunk->bytes, true, chunk->decompressed,
      [&](const BatchInfo& b) {
        batch_first = position;
        skip_batch = b.last_offset < position || b.control;
        if (b.last_offset >= position) position = b.last_offset + 1;
      },
      [&](const BatchInfo& b, const RecordView& v) {
        int64_t offset = b.base_offset + v.offset_delta;
        if (skip_batch || offset < batch_first) return;
        chunk->records.push_back(
            ConsumerRecordView{topic, tp.partition, offset,
                               b.log_append_time ? b.max_timestamp : b.base_timestamp + v.timestamp_delta,
                               b.log_append_time, v.key, v.value, v.headers});
      });
  if (!visited) {
    // Nothing of this response is used: the position stays, as if it had not arrived.
    fetch_error_ = make_error(ErrorCode::CORRUPT_MESSAGE,
                              tp.topic + "-" + std::to_string(tp.partition) + ": " + visited.error());
    return;
  }
  s.position = position;
  if (chunk->records.empty()) return;
  buffered_records_ += chunk->records.size();
  buffer_.push_back(std::move(chunk));
}

void Consumer::drop_buffered(const std::function<bool(const TopicPartition&)>& drop) {
  for (auto it = buffer_.begin(); it != buffer_.end();) {
    if (!drop((*it)->tp)) {
      ++it;
      continue;
    }
    buffered_records_ -= (*it)->records.size() - (*it)->next;
    retired_.push_back(std::move(*it));
    it = buffer_.erase(it);
  }
}

ConsumerRecord ConsumerRecordView::to_record() const {
  auto copy = [](std::optional<std::span<const uint8_t>> b) -> std::optional<std::vector<uint8_t>> {
    if (!b) return std::nullopt;
    return std::vector<uint8_t>(b->begin(), b->end());
  };
  ConsumerRecord r{std::string(topic), partition, offset,      timestamp,
                   log_append_time,    copy(key), copy(value), {}};
  r.headers.reserve(headers.size());
  for (const RecordHeaderView& h : headers) r.headers.push_back({std::string(h.key), copy(h.value)});
  return r;
}

Result<bool, ClientError> Consumer::wait_for_records(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  if (coordinator_) {
    if (auto r = maintain_group(deadline); !r) {
      // Retriable trouble (coordinator moving, rebalance not finished in time): try again next poll.
      if (r.error().retriable() || r.error().code == ErrorCode::REBALANCE_IN_PROGRESS) {
        client_->pause(std::min(timeout, config_.client.retry_backoff));
        return false;
      }
      return unexpected(r.error());
    }
  }
  auto rejoining = [this] { return coordinator_ && coordinator_->rejoin_needed(); };
  if (assignment_.empty()) {
    if (!coordinator_)
      return unexpected(make_error(ErrorCode::INVALID_REQUEST, "poll without an assignment"));
    // A member without partitions still heartbeats while it waits.
    client_->run_until(rejoining, deadline);
    return false;
  }
  // A leader that is down or hung (requests time out) is retriable, as in Java: the partitions
  // wait for metadata to name a new leader, and poll() goes on returning what it has.
  auto reset = [this]() -> Result<void, ClientError> {
    auto r = reset_missing_positions();
    if (r || !r.error().retriable()) return r;
    metadata_stale_ = true;
    return {};
  };
  if (auto r = reset(); !r) return unexpected(r.error());
  while (buffer_.empty() && !fetch_error_ && !rejoining()) {
    send_fetches();
    if (Clock::now() >= deadline) break;
    client_->run_once(
        std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()) +
                     std::chrono::milliseconds(1),
                 std::chrono::milliseconds(100)));
    if (auto r = reset(); !r) return unexpected(r.error());
  }
  if (fetch_error_) {
    auto e = *fetch_error_;
    fetch_error_.reset();
    return unexpected(e);
  }
  return !rejoining();  // the records would be revoked in a moment: the next owner reads them
}

Result<std::span<const ConsumerRecordView>, ClientError> Consumer::poll_views(
    std::chrono::milliseconds timeout) {
  retired_.clear();  // ends the views the previous poll handed out
  polled_.clear();
  auto ready = wait_for_records(timeout);
  if (!ready) return unexpected(ready.error());
  if (!*ready) return std::span<const ConsumerRecordView>();
  while (!buffer_.empty() && polled_.size() < config_.max_poll_records) {
    FetchedChunk& c = *buffer_.front();
    size_t n = std::min(c.records.size() - c.next, config_.max_poll_records - polled_.size());
    auto first = c.records.begin() + static_cast<std::ptrdiff_t>(c.next);
    polled_.insert(polled_.end(), std::make_move_iterator(first),
                   std::make_move_iterator(first + static_cast<std::ptrdiff_t>(n)));
    c.next += n;
    buffered_records_ -= n;
    state_[c.tp].consumed = polled_.back().offset + 1;
    if (c.next == c.records.size()) {
      retired_.push_back(std::move(buffer_.front()));
      buffer_.pop_front();
    }
  }
  send_fetches();
  return std::span<const ConsumerRecordView>(polled_);
}

Result<std::vector<ConsumerRecord>, ClientError> Consumer::poll(std::chrono::milliseconds timeout) {
  auto views = poll_views(timeout);
  if (!views) return unexpected(views.error());
  std::vector<ConsumerRecord> out;
  out.reserve(views->size());
  for (const ConsumerRecordView& v : *views) out.push_back(v.to_record());
  return out;
}

}  // namespace gregor::client
