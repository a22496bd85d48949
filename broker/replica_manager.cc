// ReplicaManager: partition registry, LeaderAndIsr/StopReplica, produce appends, KIP-74 fetch budgeting,
// follower tracking, ISR changes written to ZooKeeper (design A), delayed fetch and delayed (acks=all)
// produce.
#include "broker/replica_manager.h"

#include <algorithm>

#include "broker/logging.h"
#include "broker/replica_fetcher_manager.h"

namespace gregor::broker {
namespace {

// Kafka's ReplicaManager.IsrChangePropagation* (ZooKeeper-direct ISR propagation).
constexpr int64_t kIsrChangePropagationIntervalMs = 2500;
constexpr int64_t kIsrChangePropagationBlackoutMs = 5000;
constexpr int64_t kIsrChangeMaxDelayMs = 60000;

bool contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

LeadershipState leadership_of(const proto::PartitionState& ps) {
  LeadershipState s;
  s.controller_epoch = ps.controller_epoch();
  s.leader = ps.leader();
  s.leader_epoch = ps.leader_epoch();
  s.isr.assign(ps.isr().begin(), ps.isr().end());
  s.replicas.assign(ps.replicas().begin(), ps.replicas().end());
  s.zk_version = ps.partition_epoch();
  return s;
}

}  // namespace

ReplicaManager::ReplicaManager(EventLoop& loop, log::LogManager& logs, const BrokerConfig& config,
                               zk::KafkaZkClient& zk, MetadataCache& metadata,
                               const TopicConfigs& topic_configs)
    : loop_(loop),
      logs_(logs),
      config_(config),
      zk_(zk),
      metadata_(metadata),
      topic_configs_(topic_configs),
      fetchers_(std::make_unique<ReplicaFetcherManager>(*this)) {}

ReplicaManager::~ReplicaManager() = default;

void ReplicaManager::startup() {
  auto shrink_every = std::max<int64_t>(config_.replica_lag_time_max_ms / 2, 50);
  timers_.push_back(loop_.run_every(std::chrono::milliseconds(shrink_every), [this] { maybe_shrink_isr(); }));
  timers_.push_back(loop_.run_every(std::chrono::milliseconds(kIsrChangePropagationIntervalMs),
                                    [this] { maybe_propagate_isr_changes(); }));
}

void ReplicaManager::shutdown() {
  timers_.clear();
  fetchers_->shutdown();
  while (!delayed_.empty()) complete_delayed(delayed_.begin());
  for (auto& d : delayed_produce_) check_delayed_produce(d, true);
  auto parked = std::move(delayed_produce_);
  delayed_produce_.clear();
  for (auto& d : parked) d.done(d.results);
}

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
  auto p = std::make_unique<Partition>(tp, **log, settings, config_.broker_id);
  p->configure_replication(config_.replica_lag_time_max_ms,
                           [this](int32_t id) { return metadata_.is_alive(id); });
  auto* raw = p.get();
  partitions_[tp] = std::move(p);
  return raw;
}

void ReplicaManager::remove_partition(const log::TopicPartition& tp, bool delete_log) {
  fetchers_->remove_partitions({tp});
  if (partitions_.count(tp)) notify_leadership(tp, false);
  partitions_.erase(tp);
  pending_isr_changes_.erase(tp);
  if (delete_log) logs_.delete_log(tp);
  // Parked fetches may reference the partition: answer them now (they will see UNKNOWN_TOPIC_OR_PARTITION).
  while (!delayed_.empty()) complete_delayed(delayed_.begin());
  try_complete_delayed_produce();
}

int64_t ReplicaManager::high_watermark_of(const log::TopicPartition& tp) const {
  auto* p = partition(tp);
  return p ? p->high_watermark() : -1;
}

// ---- LeaderAndIsr / StopReplica
// ------------------------------------------------------------------------------

void ReplicaManager::become_leader_or_follower(const proto::LeaderAndIsrRequest& request,
                                               std::function<void(proto::LeaderAndIsrResponse)> done) {
  // New partitions need their topic's overrides (/config/topics/<t>) before their log is opened.
  std::set<std::string> topics;
  for (auto& ps : request.partitions()) {
    if (!partition({ps.topic(), ps.partition()}) &&
        contains({ps.replicas().begin(), ps.replicas().end()}, config_.broker_id)) {
      topics.insert(ps.topic());
    }
  }
  auto configs = std::make_shared<std::map<std::string, std::map<std::string, std::string>>>();
  if (topics.empty()) return apply_leader_and_isr(request, *configs, std::move(done));
  auto left = std::make_shared<size_t>(topics.size());
  auto req = std::make_shared<proto::LeaderAndIsrRequest>(request);
  for (auto& t : topics) {
    zk_.get_topic_config(
        t, [this, t, configs, left, req, done](zk::ZkError e, std::map<std::string, std::string> c) {
          if (e != zk::ZkError::ok) {
            logger("replica")->warn(
                "cannot read /config/topics/{}: {}; creating its logs with the broker defaults", t,
                zk::to_string(e));
          }
          (*configs)[t] = std::move(c);
          if (--*left == 0) apply_leader_and_isr(*req, *configs, done);
        });
  }
}

void ReplicaManager::apply_leader_and_isr(
    const proto::LeaderAndIsrRequest& request,
    const std::map<std::string, std::map<std::string, std::string>>& configs,
    std::function<void(proto::LeaderAndIsrResponse)> done) {
  proto::LeaderAndIsrResponse resp;
  std::vector<const proto::PartitionState*> leaders, followers;
  for (auto& ps : request.partitions()) {
    log::TopicPartition tp{ps.topic(), ps.partition()};
    ErrorCode err = ErrorCode::NONE;
    Partition* p = partition(tp);
    if (!contains({ps.replicas().begin(), ps.replicas().end()}, config_.broker_id)) {
      err = ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
    } else if (p && ps.leader_epoch() <= p->leader_epoch()) {
      // The ZooKeeper controller bumps the epoch whenever it needs the broker to act: an old or equal one is
      // stale.
      logger("replica")->info("[{}] ignoring LeaderAndIsr at leader epoch {} (current {})", tp.to_string(),
                              ps.leader_epoch(), p->leader_epoch());
      err = ErrorCode::STALE_CONTROLLER_EPOCH;
    } else {
      if (!p) {
        auto it = configs.find(ps.topic());
        auto settings =
            topic_configs_.resolve(it == configs.end() ? std::map<std::string, std::string>{} : it->second);
        auto created = get_or_create_partition(tp, settings);
        if (!created) {
          logger("replica")->error("[{}] {}", tp.to_string(), created.error());
          err = ErrorCode::KAFKA_STORAGE_ERROR;
        }
      }
      if (err == ErrorCode::NONE) {
        if (!ps.topic_id().empty()) logs_.set_topic_id(tp, ps.topic_id());
        (ps.leader() == config_.broker_id ? leaders : followers).push_back(&ps);
      }
    }
    auto* pe = resp.add_partitions();
    pe->set_topic(ps.topic());
    pe->set_partition(ps.partition());
    pe->set_error_code(static_cast<int32_t>(err));
  }

  int64_t now = loop_.now_ms();
  std::set<log::TopicPartition> leader_tps;
  for (auto* ps : leaders) leader_tps.insert({ps->topic(), ps->partition()});
  fetchers_->remove_partitions(leader_tps);
  for (auto* ps : leaders) {
    log::TopicPartition tp{ps->topic(), ps->partition()};
    partition(tp)->make_leader(leadership_of(*ps), logs_.high_watermark_checkpoint(tp), now);
    notify_leadership(tp, true);
  }

  for (auto* ps : followers) {
    log::TopicPartition tp{ps->topic(), ps->partition()};
    Partition* p = partition(tp);
    std::optional<FetcherSource> source;
    auto take = [&](int32_t id, const std::string& host, int32_t port) {
      source = FetcherSource{id, host, port};
    };
    for (auto& lb : request.live_leaders()) {
      if (lb.id() != ps->leader()) continue;
      for (auto& ep : lb.endpoints()) {
        if (ep.listener() == config_.inter_broker_listener_name) take(lb.id(), ep.host(), ep.port());
      }
      if (!source && lb.endpoints_size() > 0) take(lb.id(), lb.endpoints(0).host(), lb.endpoints(0).port());
    }
    if (!source) {
      if (auto b = metadata_.brokers.find(ps->leader()); b != metadata_.brokers.end()) {
        if (auto ep = b->second.endpoints.find(config_.inter_broker_listener_name);
            ep != b->second.endpoints.end()) {
          take(ps->leader(), ep->second.host, ep->second.port);
        }
      }
    }
    bool was_leader = p->is_leader();
    if (!source && !was_leader) {
      // Leader unknown (offline partition): keep the log, take the state when a leader exists.
      logger("replica")->info("[{}] leader {} is not available: not following yet", tp.to_string(),
                              ps->leader());
      continue;
    }
    fetchers_->remove_partitions({tp});
    p->make_follower(leadership_of(*ps), logs_.high_watermark_checkpoint(tp));
    if (source) fetchers_->add_partition(tp, *source, ps->leader_epoch());
    if (was_leader || tp.topic == kConsumerOffsetsTopic) notify_leadership(tp, false);
  }
  // Parked requests on partitions that changed role complete now (NOT_LEADER_OR_FOLLOWER, or new data).
  if (!followers.empty() || !leaders.empty()) {
    try_complete_delayed();
    try_complete_delayed_produce();
  }
  done(std::move(resp));
}

proto::StopReplicaResponse ReplicaManager::stop_replicas(const proto::StopReplicaRequest& request) {
  proto::StopReplicaResponse resp;
  for (auto& sp : request.partitions()) {
    log::TopicPartition tp{sp.topic(), sp.partition()};
    ErrorCode err = ErrorCode::NONE;
    Partition* p = partition(tp);
    if (!p) {
      if (sp.delete_partition() && logs_.get_log(tp)) logs_.delete_log(tp);
    } else if (sp.leader_epoch() >= 0 && sp.leader_epoch() < p->leader_epoch()) {
      err = ErrorCode::FENCED_LEADER_EPOCH;
    } else {
      fetchers_->remove_partitions({tp});
      if (sp.delete_partition()) {
        logger("replica")->info("[{}] stopped and deleted", tp.to_string());
        remove_partition(tp, true);
      } else {
        logger("replica")->info("[{}] stopped (fetcher removed)", tp.to_string());
      }
    }
    auto* pe = resp.add_partitions();
    pe->set_topic(sp.topic());
    pe->set_partition(sp.partition());
    pe->set_error_code(static_cast<int32_t>(err));
  }
  return resp;
}

// ---- produce
// ------------------------------------------------------------------------------------------------

ProducePartitionResult ReplicaManager::append(const log::TopicPartition& tp, std::span<uint8_t> records,
                                              int16_t acks) {
  ProducePartitionResult out;
  Partition* p = partition(tp);
  if (!p) {
    out.error = ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
    return out;
  }
  int64_t hw_before = p->high_watermark();
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
  out.last_offset = r->last_offset;
  out.log_append_time = r->log_append_time;
  out.log_start_offset = p->log_start_offset();
  if (p->high_watermark() != hw_before) {
    on_high_watermark_changed();
  } else if (!r->duplicate && !delayed_.empty()) {
    try_complete_delayed();  // followers long-polling for new data
  }
  return out;
}

void ReplicaManager::wait_for_acks(std::vector<AckWait> waits, int64_t timeout_ms,
                                   std::function<void(std::vector<ErrorCode>)> done) {
  DelayedProduce d;
  d.results.assign(waits.size(), ErrorCode::NONE);
  d.pending.assign(waits.size(), true);
  d.waits = std::move(waits);
  d.done = std::move(done);
  if (check_delayed_produce(d, false)) return d.done(d.results);
  delayed_produce_.push_back(std::move(d));
  auto it = std::prev(delayed_produce_.end());
  it->timer = loop_.run_after(std::chrono::milliseconds(std::max<int64_t>(timeout_ms, 0)), [this, it] {
    check_delayed_produce(*it, true);
    auto parked = std::move(*it);
    delayed_produce_.erase(it);
    parked.done(parked.results);
  });
}

bool ReplicaManager::check_delayed_produce(DelayedProduce& d, bool timed_out) {
  bool all_done = true;
  for (size_t i = 0; i < d.waits.size(); ++i) {
    if (!d.pending[i]) continue;
    Partition* p = partition(d.waits[i].tp);
    if (!p || !p->is_leader()) {
      d.results[i] = ErrorCode::NOT_LEADER_OR_FOLLOWER;
    } else if (p->high_watermark() >= d.waits[i].required_offset) {
      bool enough = static_cast<int32_t>(p->isr().size()) >= p->effective_min_isr();
      d.results[i] = enough ? ErrorCode::NONE : ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND;
    } else if (timed_out) {
      d.results[i] = ErrorCode::REQUEST_TIMED_OUT;
    } else {
      all_done = false;
      continue;
    }
    d.pending[i] = false;
  }
  return all_done;
}

void ReplicaManager::try_complete_delayed_produce() {
  std::vector<DelayedProduce> completed;
  for (auto it = delayed_produce_.begin(); it != delayed_produce_.end();) {
    if (check_delayed_produce(*it, false)) {
      it->timer.reset();
      completed.push_back(std::move(*it));
      it = delayed_produce_.erase(it);
    } else {
      ++it;
    }
  }
  // Answer after the walk: a callback may append again.
  for (auto& d : completed) d.done(d.results);
}

void ReplicaManager::on_high_watermark_changed() {
  try_complete_delayed_produce();
  if (!delayed_.empty()) try_complete_delayed();
}

// ---- fetch
// --------------------------------------------------------------------------------------------------

std::vector<ReadResult> ReplicaManager::read_all(const FetchParams& params,
                                                 const std::vector<FetchPartitionSpec>& specs,
                                                 int64_t& total_bytes, bool& any_error) const {
  std::vector<ReadResult> out;
  out.reserve(specs.size());
  int64_t budget = params.max_bytes;
  bool min_one = true;  // KIP-74: the first batch of the first non-empty partition is returned whole
  bool follower = params.replica_id >= 0;
  total_bytes = 0;
  any_error = false;
  for (auto& spec : specs) {
    ReadResult r;
    Partition* p = partition(spec.tp);
    if (!p) {
      r.error = ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
    } else if (!p->is_leader() || (follower && !contains(p->replicas(), params.replica_id))) {
      r.error = ErrorCode::NOT_LEADER_OR_FOLLOWER;
    } else if (auto e = p->check_leader_epoch(spec.current_leader_epoch); e != ErrorCode::NONE) {
      r.error = e;
    } else {
      int32_t limit =
          static_cast<int32_t>(std::min<int64_t>(spec.partition_max_bytes, std::max<int64_t>(budget, 0)));
      r = p->read(spec.fetch_offset, limit, follower, min_one);
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
  if (params.replica_id >= 0) {
    // The follower's fetch offset is its log end offset: it may move the HW and bring it back into the ISR.
    bool hw_changed = false;
    int64_t now = loop_.now_ms();
    for (auto& spec : specs) {
      Partition* p = partition(spec.tp);
      if (!p || !p->is_leader() || p->check_leader_epoch(spec.current_leader_epoch) != ErrorCode::NONE)
        continue;
      auto outcome = p->update_follower_fetch_state(params.replica_id, spec.fetch_offset, now);
      hw_changed |= outcome.high_watermark_changed;
      if (outcome.expand_isr_to) propose_isr(*p, *outcome.expand_isr_to, "expanded");
    }
    if (hw_changed) on_high_watermark_changed();
  }
  int64_t bytes = 0;
  bool any_error = false;
  auto results = read_all(params, specs, bytes, any_error);
  if (params.max_wait_ms <= 0 || bytes >= params.min_bytes || any_error || specs.empty()) {
    done(std::move(results));
    return;
  }
  delayed_.push_back(DelayedFetch{params, std::move(specs), std::move(done), nullptr});
  auto it = std::prev(delayed_.end());
  it->timer =
      loop_.run_after(std::chrono::milliseconds(params.max_wait_ms), [this, it] { complete_delayed(it); });
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

// ---- ISR changes (spec/internals.md §4.5 A)
// -----------------------------------------------------------------

void ReplicaManager::maybe_shrink_isr() {
  int64_t now = loop_.now_ms();
  for (auto& [tp, p] : partitions_) {
    if (!p->is_leader() || p->isr_change_in_flight()) continue;
    auto lagging = p->out_of_sync_replicas(now);
    if (lagging.empty()) continue;
    std::vector<int32_t> isr;
    for (int32_t r : p->isr()) {
      if (!contains(lagging, r)) isr.push_back(r);
    }
    logger("replica")->info(
        "[{}] replicas [{}] not caught up within replica.lag.time.max.ms={} (log end offset {})",
        tp.to_string(), fmt::join(lagging, ","), config_.replica_lag_time_max_ms, p->log_end_offset());
    propose_isr(*p, std::move(isr), "shrank");
  }
}

void ReplicaManager::propose_isr(Partition& p, std::vector<int32_t> new_isr, const char* why) {
  p.set_isr_change_in_flight(true);
  log::TopicPartition tp = p.topic_partition();
  zk::PartitionState s;
  s.leader = config_.broker_id;
  s.leader_epoch = p.leader_epoch();
  s.isr = new_isr;
  s.controller_epoch = p.controller_epoch();
  int32_t epoch = p.leader_epoch();
  int32_t expected = p.zk_version();
  std::vector<int32_t> old_isr = p.isr();
  zk_.update_partition_state(
      tp.topic, tp.partition, s, expected, -1,
      [this, tp, new_isr, old_isr, epoch, expected, why](zk::ZkError e, int32_t version) {
        Partition* p = partition(tp);
        // A LeaderAndIsr since then decided the partition's state: this write's outcome no longer matters.
        if (!p || !p->is_leader() || p->leader_epoch() != epoch || p->zk_version() != expected) return;
        if (e == zk::ZkError::bad_version) {
          logger("replica")->warn(
              "[{}] ISR change [{}] -> [{}] refused: partition epoch {} is stale (the controller "
              "changed the partition); waiting for a newer LeaderAndIsr",
              tp.to_string(), fmt::join(old_isr, ","), fmt::join(new_isr, ","), expected);
          return;  // stays in flight: no more ISR changes until the controller speaks
        }
        if (e != zk::ZkError::ok) {
          logger("replica")->warn("[{}] ISR change [{}] -> [{}] failed: {}; will retry", tp.to_string(),
                                  fmt::join(old_isr, ","), fmt::join(new_isr, ","), zk::to_string(e));
          p->set_isr_change_in_flight(false);
          return;
        }
        int64_t now = loop_.now_ms();
        bool hw_moved = p->commit_isr(new_isr, version, now);
        logger("replica")->info("[{}] ISR {} from [{}] to [{}] (partition epoch {}), high watermark {}",
                                tp.to_string(), why, fmt::join(old_isr, ","), fmt::join(new_isr, ","),
                                version, p->high_watermark());
        pending_isr_changes_.insert(tp);
        last_isr_change_ms_ = now;
        if (hw_moved) {
          on_high_watermark_changed();
        } else {
          try_complete_delayed_produce();
        }
      });
}

void ReplicaManager::maybe_propagate_isr_changes() {
  if (pending_isr_changes_.empty() || isr_propagation_in_flight_) return;
  int64_t now = loop_.now_ms();
  bool quiet = now - last_isr_change_ms_ >= kIsrChangePropagationBlackoutMs;
  bool overdue = now - last_isr_propagation_ms_ >= kIsrChangeMaxDelayMs;
  if (!quiet && !overdue) return;
  std::vector<std::pair<std::string, int32_t>> tps;
  for (auto& tp : pending_isr_changes_) tps.emplace_back(tp.topic, tp.partition);
  auto sent = pending_isr_changes_;
  pending_isr_changes_.clear();
  last_isr_propagation_ms_ = now;
  isr_propagation_in_flight_ = true;
  zk_.create_isr_change_notification(tps, [this, sent](zk::ZkError e) {
    isr_propagation_in_flight_ = false;
    if (e != zk::ZkError::ok) {
      logger("replica")->warn("cannot write an ISR change notification for {} partitions: {}; will retry",
                              sent.size(), zk::to_string(e));
      pending_isr_changes_.insert(sent.begin(), sent.end());
      return;
    }
    logger("replica")->debug("ISR change notification written for {} partitions", sent.size());
  });
}

}  // namespace gregor::broker
