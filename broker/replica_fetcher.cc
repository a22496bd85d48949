// ReplicaFetcher: truncation rounds (OffsetForLeaderEpoch), Fetch as a follower, appends, backoff and
// reconnect.
#include "broker/replica_fetcher.h"

#include <algorithm>

#include "broker/logging.h"
#include "broker/replica_fetcher_truncation.h"
#include "broker/replica_manager.h"
#include "log/log.h"
#include "protocol/endian.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "protocol/reader.h"

namespace gregor::broker {
namespace {

constexpr int16_t kFetchVersion = 11;
constexpr int16_t kOffsetForLeaderEpochVersion = 3;

// The prefix of `bytes` made of whole record batches (a leader may cut the last one at the size limit).
std::span<const uint8_t> whole_batches(std::span<const uint8_t> bytes) {
  size_t pos = 0;
  while (bytes.size() - pos >= 12) {
    uint32_t len = load_be32(bytes.data() + pos + 8);
    if (bytes.size() - pos < 12 + static_cast<size_t>(len)) break;
    pos += 12 + len;
  }
  return bytes.first(pos);
}

}  // namespace

ReplicaFetcher::ReplicaFetcher(ReplicaManager& replicas, FetcherSource source)
    : replicas_(replicas), loop_(replicas.loop()), source_(std::move(source)) {
  timer_ = loop_.run_after(std::chrono::milliseconds(0), [this] { run(); });
  logger("replica")->info("fetcher for leader broker {} at {}:{} started", source_.broker_id, source_.host,
                          source_.port);
}

ReplicaFetcher::~ReplicaFetcher() {
  *alive_ = false;
  logger("replica")->info("fetcher for leader broker {} stopped", source_.broker_id);
}

std::vector<std::pair<log::TopicPartition, int32_t>> ReplicaFetcher::partition_epochs() const {
  std::vector<std::pair<log::TopicPartition, int32_t>> out;
  for (auto& [tp, s] : partitions_) out.emplace_back(tp, s.leader_epoch);
  return out;
}

void ReplicaFetcher::add_partition(const log::TopicPartition& tp, int32_t leader_epoch) {
  partitions_[tp] = FetchState{State::truncating, leader_epoch, 0};
  if (!in_flight_) schedule(0);
}

void ReplicaFetcher::remove_partition(const log::TopicPartition& tp) { partitions_.erase(tp); }

void ReplicaFetcher::schedule(int64_t delay_ms) {
  timer_ = loop_.run_after(std::chrono::milliseconds(std::max<int64_t>(delay_ms, 0)), [this] { run(); });
}

ReplicaFetcher::FetchState* ReplicaFetcher::current(const log::TopicPartition& tp, int32_t epoch) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end() || it->second.leader_epoch != epoch) return nullptr;
  Partition* p = replicas_.partition(tp);
  if (!p || p->is_leader()) return nullptr;
  return &it->second;
}

void ReplicaFetcher::delay(const log::TopicPartition& tp, int32_t epoch) {
  if (auto* s = current(tp, epoch))
    s->delayed_until_ms = loop_.now_ms() + replicas_.config().replica_fetch_backoff_ms;
}

bool ReplicaFetcher::ensure_connection() {
  if (conn_ && !conn_->failed()) return true;
  int64_t now = loop_.now_ms();
  if (conn_) {
    conn_.reset();
    connect_after_ms_ = now + replicas_.config().replica_fetch_backoff_ms;
  }
  if (now < connect_after_ms_) {
    schedule(connect_after_ms_ - now);
    return false;
  }
  conn_ = std::make_unique<OutboundConnection>(
      loop_.base(), source_.host, source_.port,
      "broker-" + std::to_string(replicas_.broker_id()) + "-fetcher-0",
      std::chrono::milliseconds(replicas_.config().replica_socket_timeout_ms));
  if (conn_->failed()) {
    on_request_failed("connect", conn_->failure());
    return false;
  }
  return true;
}

void ReplicaFetcher::on_request_failed(const std::string& what, const std::string& reason) {
  in_flight_ = false;
  if (!logged_failure_) {
    logger("replica")->warn("{} to leader broker {} at {}:{} failed: {}; retrying every {} ms", what,
                            source_.broker_id, source_.host, source_.port, reason,
                            replicas_.config().replica_fetch_backoff_ms);
    logged_failure_ = true;
  }
  connect_after_ms_ = loop_.now_ms() + replicas_.config().replica_fetch_backoff_ms;
  schedule(replicas_.config().replica_fetch_backoff_ms);
}

void ReplicaFetcher::run() {
  if (in_flight_ || partitions_.empty()) return;
  int64_t now = loop_.now_ms();
  std::vector<log::TopicPartition> truncating, fetching;
  int64_t next_wake = INT64_MAX;
  for (auto& [tp, s] : partitions_) {
    if (s.delayed_until_ms > now) {
      next_wake = std::min(next_wake, s.delayed_until_ms);
      continue;
    }
    Partition* p = replicas_.partition(tp);
    if (!p || p->is_leader()) continue;
    if (s.state == State::truncating && p->log().leader_epoch_cache().latest_epoch() < 0) {
      // No leader epochs (empty log or pre-KIP-101 data): truncate to the high watermark.
      if (p->high_watermark() < p->log_end_offset()) {
        logger("replica")->info(
            "[{}] truncating to high watermark {} (no leader epochs), log end offset was {}", tp.to_string(),
            p->high_watermark(), p->log_end_offset());
        p->truncate_to(p->high_watermark());
      }
      s.state = State::fetching;
    }
    (s.state == State::truncating ? truncating : fetching).push_back(tp);
  }
  if (truncating.empty() && fetching.empty()) {
    if (next_wake != INT64_MAX) schedule(next_wake - now);
    return;
  }
  if (!ensure_connection()) return;
  if (!truncating.empty()) {
    send_offsets_for_leader_epoch(truncating);
  } else {
    send_fetch(fetching);
  }
}

void ReplicaFetcher::send_offsets_for_leader_epoch(const std::vector<log::TopicPartition>& tps) {
  OffsetForLeaderEpochRequest req;
  req.replica_id = replicas_.broker_id();
  std::map<log::TopicPartition, std::pair<int32_t, int32_t>> sent;  // tp -> (current epoch, asked epoch)
  for (auto& tp : tps) {
    Partition* p = replicas_.partition(tp);
    auto& s = partitions_[tp];
    int32_t latest = p->log().leader_epoch_cache().latest_epoch();
    sent[tp] = {s.leader_epoch, latest};
    auto topic =
        std::find_if(req.topics.begin(), req.topics.end(), [&](auto& t) { return t.topic == tp.topic; });
    if (topic == req.topics.end()) {
      req.topics.push_back({tp.topic, {}});
      topic = std::prev(req.topics.end());
    }
    topic->partitions.push_back({tp.partition, s.leader_epoch, latest});
  }
  in_flight_ = true;
  auto alive = alive_;
  conn_->send(
      ApiKey::OffsetForLeaderEpoch, kOffsetForLeaderEpochVersion,
      [req](Writer& w) { req.encode(w, kOffsetForLeaderEpochVersion); },
      [this, alive, sent](Result<std::span<const uint8_t>, std::string> body) {
        if (!*alive) return;
        if (!body) return on_request_failed("OffsetForLeaderEpoch", body.error());
        Reader r(*body);
        auto resp = OffsetForLeaderEpochResponse::decode(r, kOffsetForLeaderEpochVersion);
        if (!resp) return on_request_failed("OffsetForLeaderEpoch", "malformed response: " + resp.error());
        in_flight_ = false;
        logged_failure_ = false;
        for (auto& t : resp->topics) {
          for (auto& pr : t.partitions) {
            log::TopicPartition tp{t.topic, pr.partition};
            auto it = sent.find(tp);
            if (it == sent.end()) continue;
            FetchState* s = current(tp, it->second.first);
            if (!s || s->state != State::truncating) continue;
            auto err = static_cast<ErrorCode>(pr.error_code);
            if (err != ErrorCode::NONE) {
              logger("replica")->info("[{}] OffsetForLeaderEpoch from broker {}: {}; retrying after backoff",
                                      tp.to_string(), source_.broker_id, to_string(err));
              delay(tp, it->second.first);
              continue;
            }
            Partition* p = replicas_.partition(tp);
            auto d = compute_truncation(pr.leader_epoch, pr.end_offset, p->log().leader_epoch_cache(),
                                        p->log_end_offset(), p->high_watermark());
            if (d.truncate_to < p->log_end_offset()) {
              logger("replica")->info(
                  "[{}] truncating to {} (leader broker {} answered epoch {} end offset {} for our epoch "
                  "{}), "
                  "log end offset was {}",
                  tp.to_string(), d.truncate_to, source_.broker_id, pr.leader_epoch, pr.end_offset,
                  it->second.second, p->log_end_offset());
              p->truncate_to(d.truncate_to);
            }
            if (!d.another_round) s->state = State::fetching;
          }
        }
        schedule(0);
      });
}

void ReplicaFetcher::send_fetch(const std::vector<log::TopicPartition>& tps) {
  auto& cfg = replicas_.config();
  FetchRequest req;
  req.replica_id = replicas_.broker_id();
  req.max_wait_ms = cfg.replica_fetch_wait_max_ms;
  req.min_bytes = cfg.replica_fetch_min_bytes;
  req.max_bytes = cfg.replica_fetch_response_max_bytes;
  req.session_id = 0;
  req.session_epoch = -1;  // full fetch every time (no fetch sessions)
  std::map<log::TopicPartition, std::pair<int32_t, int64_t>> sent;  // tp -> (epoch, fetch offset)
  for (auto& tp : tps) {
    Partition* p = replicas_.partition(tp);
    auto& s = partitions_[tp];
    sent[tp] = {s.leader_epoch, p->log_end_offset()};
    auto topic =
        std::find_if(req.topics.begin(), req.topics.end(), [&](auto& t) { return t.topic == tp.topic; });
    if (topic == req.topics.end()) {
      req.topics.push_back({tp.topic, {}});
      topic = std::prev(req.topics.end());
    }
    FetchRequest::FetchPartition fp;
    fp.partition = tp.partition;
    fp.current_leader_epoch = s.leader_epoch;
    fp.fetch_offset = p->log_end_offset();
    fp.log_start_offset = p->log_start_offset();
    fp.partition_max_bytes = cfg.replica_fetch_max_bytes;
    topic->partitions.push_back(fp);
  }
  in_flight_ = true;
  auto alive = alive_;
  conn_->send(
      ApiKey::Fetch, kFetchVersion, [req](Writer& w) { req.encode(w, kFetchVersion); },
      [this, alive, sent](Result<std::span<const uint8_t>, std::string> body) {
        if (!*alive) return;
        if (!body) return on_request_failed("Fetch", body.error());
        Reader r(*body);
        auto resp = FetchResponse::decode(r, kFetchVersion);
        if (!resp) return on_request_failed("Fetch", "malformed response: " + resp.error());
        in_flight_ = false;
        logged_failure_ = false;
        for (auto& t : resp->responses) {
          for (auto& pd : t.partitions) {
            log::TopicPartition tp{t.topic, pd.partition_index};
            auto it = sent.find(tp);
            if (it == sent.end()) continue;
            auto [epoch, fetch_offset] = it->second;
            FetchState* s = current(tp, epoch);
            if (!s || s->state != State::fetching) continue;
            Partition* p = replicas_.partition(tp);
            if (p->log_end_offset() != fetch_offset) continue;  // truncated meanwhile
            auto err = static_cast<ErrorCode>(pd.error_code);
            if (err == ErrorCode::OFFSET_OUT_OF_RANGE) {
              if (fetch_offset < pd.log_start_offset) {
                logger("replica")->warn(
                    "[{}] fetch offset {} below the leader's log start offset {}: starting over there",
                    tp.to_string(), fetch_offset, pd.log_start_offset);
                p->truncate_fully_and_start_at(pd.log_start_offset);
              } else {
                // Our log end is beyond the leader's: find the divergence again.
                logger("replica")->warn(
                    "[{}] fetch offset {} out of range on leader broker {}: truncating again", tp.to_string(),
                    fetch_offset, source_.broker_id);
                s->state = State::truncating;
              }
              continue;
            }
            if (err != ErrorCode::NONE) {
              logger("replica")->info("[{}] fetch from broker {}: {}; retrying after {} ms", tp.to_string(),
                                      source_.broker_id, to_string(err),
                                      replicas_.config().replica_fetch_backoff_ms);
              delay(tp, epoch);
              continue;
            }
            const auto* bytes = std::get_if<std::vector<uint8_t>>(&pd.records);
            std::span<const uint8_t> records;
            if (bytes) records = whole_batches(*bytes);
            auto appended = p->append_records_as_follower(records, pd.high_watermark, pd.log_start_offset);
            if (!appended) {
              logger("replica")->error("[{}] follower append at {} failed: {}", tp.to_string(), fetch_offset,
                                       appended.error().message);
              delay(tp, epoch);
              continue;
            }
          }
        }
        schedule(0);
      });
}

}  // namespace gregor::broker
