// Controller: election, event queue, failover and the controller operations of Kafka's KafkaController (ZK
// mode).
#include "broker/controller/controller.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "broker/logging.h"
#include "protocol/error_code.h"

namespace gregor::broker {
namespace {

using zk::ZkError;
using Done = std::function<void()>;

auto log() { return logger("controller"); }

// Runs step(i, next) for i in [0, n) concurrently and done() once every next() has been called.
void parallel(size_t n, const std::function<void(size_t, Done)>& step, Done done) {
  if (n == 0) return done();
  auto left = std::make_shared<size_t>(n);
  for (size_t i = 0; i < n; ++i) {
    step(i, [left, done] {
      if (--*left == 0) done();
    });
  }
}

// Runs step(i, next) for i in [0, n) one after another, then done(). The chain keeps itself alive through the
// pending continuation only (no self-owning cycle).
void sequential(size_t n, std::function<void(size_t, Done)> step, Done done) {
  struct State {
    size_t n;
    size_t i;
    std::function<void(size_t, Done)> step;
    Done done;
  };
  auto s = std::make_shared<State>(State{n, 0, std::move(step), std::move(done)});
  auto next = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = next;
  *next = [s, weak] {
    if (s->i == s->n) {
      Done d = std::move(s->done);
      return d();
    }
    size_t i = s->i++;
    auto self = weak.lock();
    s->step(i, [self] { (*self)(); });
  };
  (*next)();
}

bool contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

constexpr int kWriteAttempts = 5;
constexpr int32_t kEpochDuringDelete = -2;
constexpr auto kFirstRebalanceDelay = std::chrono::seconds(5);
constexpr auto kRetryDelay = std::chrono::seconds(1);

}  // namespace

Controller::Controller(const BrokerConfig& config, EventLoop& loop, zk::KafkaZkClient& zk)
    : config_(config),
      loop_(loop),
      zk_(zk),
      broker_id_(config.broker_id),
      control_listener_(config.control_plane_listener_name.value_or(config.inter_broker_listener_name)),
      channels_(loop, "controller-" + std::to_string(config.broker_id),
                std::chrono::milliseconds(config.controller_socket_timeout_ms)),
      batch_(context_, channels_, config.broker_id) {}

Controller::~Controller() { *alive_ = false; }

// ---- event queue
// -----------------------------------------------------------------------------------------------

void Controller::put(Event e) {
  if (stopped_) {
    if (e.preempt) e.preempt();
    return;
  }
  queue_.push_back(std::move(e));
  run_next();
}

void Controller::clear_and_put(Event e) {
  auto drained = std::move(queue_);
  queue_.clear();
  for (auto& d : drained) {
    if (d.preempt) d.preempt();
  }
  put(std::move(e));
}

void Controller::run_next() {
  if (processing_ || queue_.empty() || stopped_) return;
  Event e = std::move(queue_.front());
  queue_.pop_front();
  processing_ = true;
  uint64_t token = ++event_token_;
  auto alive = alive_;
  e.process([this, token, alive] {
    if (!*alive || token != event_token_ || !processing_) return;
    processing_ = false;
    // Next event from a fresh loop turn: keeps the stack flat when handlers complete synchronously.
    loop_.post([this, alive] {
      if (*alive) run_next();
    });
  });
}

zk::Watcher Controller::watcher(std::string name, std::function<void(Done)> process) {
  uint64_t generation = active_generation_;
  auto alive = alive_;
  return [this, alive, generation, name = std::move(name), process = std::move(process)](zk::WatchEvent,
                                                                                         const std::string&) {
    if (!*alive || generation != active_generation_ || !active_) return;
    put(Event{name, process, {}});
  };
}

bool Controller::retry_after_zk_error(const std::string& name, std::function<void(Done)> process, ZkError e) {
  if (e != ZkError::connection_loss && e != ZkError::operation_timeout) return false;
  log()->warn("{}: ZooKeeper read failed ({}); retrying in {} ms", name, zk::to_string(e),
              std::chrono::duration_cast<std::chrono::milliseconds>(kRetryDelay).count());
  uint64_t generation = active_generation_;
  auto alive = alive_;
  event_retry_timers_[name] =
      loop_.run_after(kRetryDelay, [this, alive, generation, name, process = std::move(process)] {
        if (!*alive || generation != active_generation_ || !active_) return;
        put(Event{name, process, {}});
      });
  return true;
}

void Controller::startup() {
  put(Event{"Startup", [this](Done d) { elect(std::move(d)); }, {}});
}

void Controller::shutdown() {
  auto drained = std::move(queue_);
  queue_.clear();
  for (auto& d : drained) {
    if (d.preempt) d.preempt();
  }
  resign("broker shutting down");
  stopped_ = true;
  retry_timer_.reset();
  event_retry_timers_.clear();
}

void Controller::on_session_expired() {
  ++controller_watch_id_;  // the old session's /controller watch is gone
  clear_and_put(Event{"Expire",
                      [this](Done d) {
                        resign("ZooKeeper session expired");
                        active_controller_id_ = -1;
                        d();
                      },
                      {}});
}

void Controller::on_session_reestablished() {
  put(Event{"RegisterBrokerAndReelect", [this](Done d) { elect(std::move(d)); }, {}});
}

void Controller::controlled_shutdown(const proto::ControlledShutdownRequest& request,
                                     ControlledShutdownCallback done) {
  auto answered = std::make_shared<bool>(false);
  auto once = [answered, done](proto::ControlledShutdownResponse r) {
    if (*answered) return;
    *answered = true;
    done(std::move(r));
  };
  put(Event{"ControlledShutdown",
            [this, request, once](Done d) { process_controlled_shutdown(request, once, std::move(d)); },
            [once] {
              proto::ControlledShutdownResponse r;
              r.set_error_code(static_cast<int32_t>(ErrorCode::NOT_CONTROLLER));
              once(r);
            }});
}

// ---- election
// ---------------------------------------------------------------------------------------------------

void Controller::elect(Done done) {
  uint64_t watch_id = ++controller_watch_id_;
  auto alive = alive_;
  zk::Watcher w = [this, alive, watch_id](zk::WatchEvent, const std::string&) {
    if (!*alive || watch_id != controller_watch_id_) return;
    put(Event{"ControllerChange", [this](Done d) { elect(std::move(d)); }, {}});
  };
  auto retry_later = [this, alive] {
    retry_timer_ = loop_.run_after(kRetryDelay, [this, alive] {
      if (*alive) put(Event{"Reelect", [this](Done d) { elect(std::move(d)); }, {}});
    });
  };
  zk_.watch_controller(w, [this, done, retry_later](ZkError e, std::optional<int32_t> id) {
    if (e != ZkError::ok) {
      log()->warn("cannot read /controller: {}; retrying", zk::to_string(e));
      retry_later();
      return done();
    }
    if (id && *id != broker_id_) {
      if (active_) resign("broker " + std::to_string(*id) + " is now the controller");
      if (active_controller_id_ != *id) log()->info("broker {} is the controller", *id);
      active_controller_id_ = *id;
      return done();
    }
    if (id && active_) return done();  // still ours
    if (!id && active_) resign("/controller was deleted");
    zk_.try_elect_controller(broker_id_, [this, done, retry_later](ZkError e, bool won, int32_t controller,
                                                                   int32_t epoch, int32_t epoch_zk_version) {
      if (e != ZkError::ok) {
        log()->warn("controller election failed: {}; retrying", zk::to_string(e));
        retry_later();
        return done();
      }
      if (!won) {
        if (active_controller_id_ != controller) log()->info("broker {} is the controller", controller);
        active_controller_id_ = controller;
        return done();
      }
      active_ = true;
      active_controller_id_ = broker_id_;
      context_.reset();
      context_.epoch = epoch;
      context_.epoch_zk_version = epoch_zk_version;
      log()->info("broker {} elected controller (controller epoch {})", broker_id_, epoch);
      on_controller_failover(done);
    });
  });
}

void Controller::resign(const std::string& why) {
  if (!active_) return;
  log()->info("broker {} resigned as controller (controller epoch {}): {}", broker_id_, context_.epoch, why);
  active_ = false;
  ++active_generation_;
  if (active_controller_id_ == broker_id_) active_controller_id_ = -1;
  rebalance_timer_.reset();
  batch_.clear();
  channels_.shutdown();
  context_.reset();
  partition_states_.clear();
  replica_states_.clear();
  topic_configs_.clear();
  restarted_leaders_.clear();
}

void Controller::trigger_controller_move(const std::string& why, Done done) {
  int32_t version = context_.epoch_zk_version;
  resign(why);
  // Deleting /controller makes every broker (this one included) run the election again.
  zk_.delete_controller(version, [done](ZkError) { done(); });
}

// ---- failover
// ---------------------------------------------------------------------------------------------------

void Controller::on_controller_failover(Done done) {
  uint64_t gen = active_generation_;
  auto still = [this, gen] { return active_ && gen == active_generation_; };
  // Step 2: old ISR change notifications are covered by reading every partition state below.
  zk_.get_isr_change_notifications(
      watcher("IsrChangeNotification", [this](Done d) { process_isr_change_notification(std::move(d)); }),
      [this, still, done](ZkError e, std::vector<std::string> names) {
        if (!still()) return done();
        if (e != ZkError::ok) return trigger_controller_move("cannot read /isr_change_notification", done);
        zk_.delete_isr_change_notifications(
            names, context_.epoch_zk_version, [this, still, done](ZkError de) {
              if (!still()) return done();
              if (de == ZkError::controller_moved) {
                resign("controller moved");
                return done();
              }
              initialize_context([this, still, done] {
                if (!still()) return done();
                zk_.get_topics_marked_for_deletion(
                    watcher("TopicDeletion", [this](Done d) { process_topic_deletion(std::move(d)); }),
                    [this, still, done](ZkError te, std::vector<std::string> marked) {
                      if (!still()) return done();
                      for (auto& t : marked) {
                        if (te == ZkError::ok && context_.has_topic(t)) context_.topics_to_delete.insert(t);
                      }
                      // Step 5: every broker learns every endpoint before any LeaderAndIsr. A lone broker
                      // (only us) has nobody to follow: it gets the broker list after its LeaderAndIsr
                      // instead, so that once its Metadata lists itself it also serves its partitions (what
                      // "started" means to clients).
                      bool lone = context_.brokers.size() == 1 && context_.brokers.count(broker_id_);
                      if (!lone) {
                        batch_.add_update_metadata(context_.live_or_shutting_down_ids(), {});
                        send_batch();
                      }
                      startup_state_machines([this, still, lone, done] {
                        if (!still()) return done();
                        if (lone) {
                          batch_.add_update_metadata({broker_id_}, {});
                          send_batch();
                        }
                        log()->info("controller failover done: {} live brokers, {} topics, {} partitions",
                                    context_.brokers.size(), context_.topic_ids.size(),
                                    context_.assignment.size());
                        if (config_.auto_leader_rebalance_enable)
                          schedule_auto_rebalance(kFirstRebalanceDelay);
                        resume_deletions([this, still, done] {
                          if (!still()) return done();
                          process_preferred_replica_election(done);
                        });
                      });
                    });
              });
            });
      });
}

void Controller::initialize_context(Done done) {
  uint64_t gen = active_generation_;
  zk_.get_all_brokers_and_epochs(
      watcher("BrokerChange", [this](Done d) { process_broker_change(std::move(d)); }),
      [this, gen, done](ZkError e, std::map<int32_t, zk::KafkaZkClient::BrokerAndEpoch> brokers) {
        if (gen != active_generation_) return done();
        if (e != ZkError::ok) return trigger_controller_move("cannot read /brokers/ids", done);
        context_.brokers = std::move(brokers);
        for (auto& [id, b] : context_.brokers) {
          auto ep = std::find_if(b.registration.endpoints.begin(), b.registration.endpoints.end(),
                                 [&](const zk::Endpoint& x) { return x.listener_name == control_listener_; });
          if (ep == b.registration.endpoints.end()) {
            log()->error("broker {} has no {} endpoint: cannot send it control requests", id,
                         control_listener_);
            continue;
          }
          channels_.add_broker(id, ep->host, ep->port);
        }
        zk_.get_topics(watcher("TopicChange", [this](Done d) { process_topic_change(std::move(d)); }),
                       [this, gen, done](ZkError te, std::vector<std::string> topics) {
                         if (gen != active_generation_) return done();
                         if (te != ZkError::ok)
                           return trigger_controller_move("cannot read /brokers/topics", done);
                         auto shared = std::make_shared<std::vector<std::string>>(std::move(topics));
                         parallel(
                             shared->size(),
                             [this, shared](size_t i, Done next) { load_topic((*shared)[i], next); }, done);
                       });
      });
}

void Controller::load_topic(const std::string& topic, Done done) {
  uint64_t gen = active_generation_;
  zk_.get_topic_assignment(
      topic,
      watcher("PartitionModifications",
              [this, topic](Done d) { process_partition_modifications(topic, std::move(d)); }),
      [this, gen, topic, done](ZkError e, zk::TopicAssignment a) {
        if (gen != active_generation_) return done();
        if (e != ZkError::ok) {
          log()->warn("cannot read the assignment of topic {}: {}", topic, zk::to_string(e));
          return done();
        }
        if (a.topic_id.empty()) {
          // Written by a pre-2.8 Kafka: assign a topic id (Kafka's TopicIds step).
          a.topic_id = zk::new_topic_id();
          zk_.set_topic_assignment(topic, a, -1, [topic](ZkError se) {
            if (se != ZkError::ok)
              log()->warn("cannot store the topic id of {}: {}", topic, zk::to_string(se));
          });
        }
        context_.topic_ids[topic] = a.topic_id;
        std::vector<log::TopicPartition> tps;
        for (auto& [p, replicas] : a.partitions) {
          log::TopicPartition tp{topic, p};
          context_.assignment[tp] = replicas;
          tps.push_back(tp);
        }
        auto shared = std::make_shared<std::vector<log::TopicPartition>>(std::move(tps));
        parallel(
            shared->size(), [this, shared](size_t i, Done next) { load_partition_state((*shared)[i], next); },
            done);
      });
}

void Controller::load_partition_state(const log::TopicPartition& tp, Done done) {
  uint64_t gen = active_generation_;
  zk_.get_partition_state_stat(
      tp.topic, tp.partition, [this, gen, tp, done](ZkError e, zk::PartitionState s, zk::Stat st) {
        if (gen != active_generation_) return done();
        if (e == ZkError::ok) {
          context_.leadership[tp] = LeaderIsrAndEpoch{s, st.version};
          // The leader registered again after this decision was written: it lost its in-memory leadership (a
          // restart while no controller watched), so elect again rather than keep a leader epoch it never
          // started.
          if (s.leader >= 0 && context_.broker_epoch(s.leader) > st.mzxid) restarted_leaders_.insert(tp);
        } else if (e != ZkError::no_node) {
          log()->warn("[{}] cannot read partition state: {}", tp.to_string(), zk::to_string(e));
        }
        done();
      });
}

void Controller::startup_state_machines(Done done) {
  // Partition states (Kafka's PartitionStateMachine.initializePartitionState).
  for (auto& [tp, replicas] : context_.assignment) {
    auto l = context_.leadership.find(tp);
    if (l == context_.leadership.end()) {
      partition_states_.set_initial(tp, PartitionStateKind::NewPartition);
    } else if (context_.is_live(l->second.state.leader) && !restarted_leaders_.count(tp)) {
      partition_states_.set_initial(tp, PartitionStateKind::OnlinePartition);
    } else {
      partition_states_.set_initial(tp, PartitionStateKind::OfflinePartition);
    }
  }
  restarted_leaders_.clear();
  // Replica states: live replicas Online (LeaderAndIsr with the current state), dead ones Offline (out of
  // ISRs).
  std::map<int32_t, std::vector<log::TopicPartition>> dead;
  for (auto& [tp, replicas] : context_.assignment) {
    for (int32_t r : replicas) {
      if (context_.is_live(r)) {
        replica_states_.set_initial({tp, r}, ReplicaStateKind::OnlineReplica);
        if (partition_states_.state(tp) == PartitionStateKind::OnlinePartition &&
            !context_.topics_to_delete.count(tp.topic)) {
          batch_.add_leader_and_isr({r}, tp, false);
        }
      } else {
        replica_states_.set_initial({tp, r}, ReplicaStateKind::ReplicaDeletionIneligible);
        replica_states_.transition({tp, r}, ReplicaStateKind::OfflineReplica);
        if (!context_.topics_to_delete.count(tp.topic)) dead[r].push_back(tp);
      }
    }
  }
  send_batch();
  auto brokers = std::make_shared<std::vector<std::pair<int32_t, std::vector<log::TopicPartition>>>>(
      dead.begin(), dead.end());
  sequential(
      brokers->size(),
      [this, brokers](size_t i, Done next) {
        remove_replica_from_isr((*brokers)[i].first, (*brokers)[i].second, next);
      },
      [this, done] {
        trigger_online_partition_state_change([this, done] {
          send_batch();
          done();
        });
      });
}

// ---- elections and partition state writes
// -----------------------------------------------------------------------

void Controller::trigger_online_partition_state_change(Done done) {
  std::vector<log::TopicPartition> tps;
  for (auto s : {PartitionStateKind::NewPartition, PartitionStateKind::OfflinePartition}) {
    for (auto& tp : partition_states_.partitions_in(s)) {
      if (!context_.topics_to_delete.count(tp.topic)) tps.push_back(tp);
    }
  }
  elect_leaders(tps, Strategy::offline, [done](std::vector<log::TopicPartition>) { done(); });
}

bool Controller::allow_unclean(const std::string& topic) const {
  auto t = topic_configs_.find(topic);
  if (t != topic_configs_.end()) {
    auto v = t->second.find("unclean.leader.election.enable");
    if (v != t->second.end()) return v->second == "true";
  }
  return config_.unclean_leader_election_enable;
}

void Controller::elect_leaders(const std::vector<log::TopicPartition>& partitions, Strategy strategy,
                               std::function<void(std::vector<log::TopicPartition>)> done) {
  if (partitions.empty()) return done({});
  uint64_t gen = active_generation_;
  auto tps = std::make_shared<std::vector<log::TopicPartition>>(partitions);
  auto failed = std::make_shared<std::vector<log::TopicPartition>>();
  auto run = [this, gen, tps, failed, strategy, done] {
    if (gen != active_generation_) return done({});
    parallel(
        tps->size(),
        [this, tps, failed, strategy](size_t i, Done next) {
          const auto& tp = (*tps)[i];
          elect_one(tp, strategy, strategy == Strategy::offline && allow_unclean(tp.topic), kWriteAttempts,
                    [failed, tp, next](bool ok) {
                      if (!ok) failed->push_back(tp);
                      next();
                    });
        },
        [failed, done] { done(*failed); });
  };
  if (strategy != Strategy::offline) return run();
  // unclean.leader.election.enable may be overridden per topic (and changed at any time): read it now.
  std::set<std::string> topics;
  for (auto& tp : partitions) topics.insert(tp.topic);
  auto names = std::make_shared<std::vector<std::string>>(topics.begin(), topics.end());
  parallel(
      names->size(),
      [this, names](size_t i, Done next) {
        const std::string topic = (*names)[i];
        zk_.get_topic_config(topic, [this, topic, next](ZkError e, std::map<std::string, std::string> c) {
          if (e == ZkError::ok) topic_configs_[topic] = std::move(c);
          next();
        });
      },
      run);
}

void Controller::log_leader_change(const log::TopicPartition& tp, int32_t old_leader,
                                   const zk::PartitionState& s, const char* why) const {
  log()->info("[{}] leader change ({}): {} -> {}, leader epoch {}, ISR [{}]", tp.to_string(), why, old_leader,
              s.leader, s.leader_epoch, fmt::join(s.isr, ","));
}

void Controller::elect_one(const log::TopicPartition& tp, Strategy strategy, bool unclean, int attempts,
                           std::function<void(bool)> done) {
  uint64_t gen = active_generation_;
  const auto& assignment = context_.assignment[tp];
  auto live = context_.live_ids();
  auto current = context_.leadership.find(tp);
  if (partition_states_.state(tp) == PartitionStateKind::NewPartition ||
      current == context_.leadership.end()) {
    auto e = elect_new_partition(assignment, live);
    if (!e) {
      log()->warn("[{}] partition offline: no live replica among [{}] to create it on", tp.to_string(),
                  fmt::join(assignment, ","));
      return done(false);
    }
    zk::PartitionState next;
    next.leader = e->leader;
    next.leader_epoch = 0;
    next.isr = e->isr;
    next.controller_epoch = context_.epoch;
    zk_.create_partition_states(
        tp.topic, {{tp.partition, next}}, context_.epoch_zk_version,
        [this, gen, tp, next, e = *e, strategy, unclean, attempts, done](ZkError err) {
          if (gen != active_generation_) return done(false);
          if (err == ZkError::controller_moved) {
            resign("controller moved (fenced write of a partition state)");
            return done(false);
          }
          if (err == ZkError::node_exists && attempts > 0) {
            // Someone (an earlier controller) created it: continue from the stored state.
            return load_partition_state(tp, [this, tp, strategy, unclean, attempts, done] {
              partition_states_.set_initial(tp, PartitionStateKind::OfflinePartition);
              elect_one(tp, strategy, unclean, attempts - 1, done);
            });
          }
          if (err != ZkError::ok) {
            log()->error("[{}] cannot create the partition state: {}", tp.to_string(), zk::to_string(err));
            return done(false);
          }
          context_.leadership[tp] = LeaderIsrAndEpoch{next, 0};
          partition_states_.transition(tp, PartitionStateKind::OnlinePartition);
          log_leader_change(tp, -1, next, "new partition");
          batch_.add_leader_and_isr(e.recipients, tp, true);
          done(true);
        });
    return;
  }
  const auto& cur = current->second.state;
  std::optional<Election> e;
  const char* why = "";
  switch (strategy) {
    case Strategy::offline:
      e = elect_offline(assignment, cur.isr, live, unclean);
      why = "offline partition";
      break;
    case Strategy::preferred:
      e = elect_preferred(assignment, cur.isr, live);
      why = "preferred leader";
      break;
    case Strategy::controlled_shutdown:
      e = elect_controlled_shutdown(assignment, cur.isr, live, context_.shutting_down);
      why = "controlled shutdown";
      break;
  }
  if (!e) {
    if (strategy == Strategy::offline) {
      partition_states_.transition(tp, PartitionStateKind::OfflinePartition);
      log()->warn(
          "[{}] partition offline: no live replica in ISR [{}] (assigned [{}], "
          "unclean.leader.election.enable="
          "{})",
          tp.to_string(), fmt::join(cur.isr, ","), fmt::join(assignment, ","), unclean);
    }
    return done(false);
  }
  if (e->unclean) {
    log()->warn("[{}] unclean leader election: broker {} is not in ISR [{}]; committed data may be lost",
                tp.to_string(), e->leader, fmt::join(cur.isr, ","));
  }
  zk::PartitionState next = cur;
  int32_t old_leader = cur.leader;
  next.leader = e->leader;
  next.isr = e->isr;
  next.leader_epoch = cur.leader_epoch + 1;
  next.controller_epoch = context_.epoch;
  write_state(
      tp, next,
      [this, tp, next, old_leader, e = *e, why, strategy, unclean, attempts, done](bool written, bool retry) {
        if (written) {
          partition_states_.transition(tp, PartitionStateKind::OnlinePartition);
          log_leader_change(tp, old_leader, next, why);
          batch_.add_leader_and_isr(e.recipients, tp, false);
          return done(true);
        }
        if (retry && attempts > 0) return elect_one(tp, strategy, unclean, attempts - 1, done);
        done(false);
      });
}

void Controller::write_state(const log::TopicPartition& tp, const zk::PartitionState& next,
                             std::function<void(bool, bool)> done) {
  uint64_t gen = active_generation_;
  int32_t expected = context_.leadership[tp].zk_version;
  zk_.update_partition_state(
      tp.topic, tp.partition, next, expected, context_.epoch_zk_version,
      [this, gen, tp, next, done](ZkError e, int32_t version) {
        if (gen != active_generation_) return done(false, false);
        if (e == ZkError::ok) {
          context_.leadership[tp] = LeaderIsrAndEpoch{next, version};
          return done(true, false);
        }
        if (e == ZkError::controller_moved) {
          resign("controller moved (fenced write of a partition state)");
          return done(false, false);
        }
        if (e != ZkError::bad_version) {
          log()->error("[{}] cannot write the partition state: {}", tp.to_string(), zk::to_string(e));
          return done(false, false);
        }
        // The leader changed the ISR meanwhile (or another controller wrote): re-read and decide again.
        zk_.get_partition_state_stat(
            tp.topic, tp.partition, [this, gen, tp, done](ZkError re, zk::PartitionState s, zk::Stat st) {
              if (gen != active_generation_) return done(false, false);
              if (re != ZkError::ok) return done(false, false);
              if (s.controller_epoch > context_.epoch) {
                resign("partition " + tp.to_string() + " was written by a newer controller epoch " +
                       std::to_string(s.controller_epoch));
                return done(false, false);
              }
              context_.leadership[tp] = LeaderIsrAndEpoch{s, st.version};
              done(false, true);
            });
      });
}

void Controller::remove_replica_from_isr(int32_t broker, const std::vector<log::TopicPartition>& partitions,
                                         Done done) {
  auto tps = std::make_shared<std::vector<log::TopicPartition>>(partitions);
  parallel(
      tps->size(),
      [this, broker, tps](size_t i, Done next) {
        remove_one_from_isr(broker, (*tps)[i], kWriteAttempts, next);
      },
      done);
}

void Controller::remove_one_from_isr(int32_t broker, const log::TopicPartition& tp, int attempts,
                                     std::function<void()> done) {
  auto it = context_.leadership.find(tp);
  if (it == context_.leadership.end()) return done();
  const auto& cur = it->second.state;
  auto r = remove_from_isr(cur.leader, cur.isr, broker);
  if (r.leader == cur.leader && r.isr == cur.isr) return done();
  zk::PartitionState next = cur;
  int32_t old_leader = cur.leader;
  next.leader = r.leader;
  next.isr = r.isr;
  next.leader_epoch = cur.leader_epoch + 1;
  next.controller_epoch = context_.epoch;
  write_state(tp, next, [this, broker, tp, next, old_leader, attempts, done](bool written, bool retry) {
    if (!written) {
      if (retry && attempts > 0) return remove_one_from_isr(broker, tp, attempts - 1, done);
      return done();
    }
    if (next.leader == -1) {
      partition_states_.transition(tp, PartitionStateKind::OfflinePartition);
      log()->warn("[{}] partition offline: leader {} is gone and no other ISR member is live (ISR [{}])",
                  tp.to_string(), old_leader, fmt::join(next.isr, ","));
    } else if (next.leader != old_leader) {
      log_leader_change(tp, old_leader, next, "replica offline");
    }
    std::vector<int32_t> others;
    for (int32_t b : context_.assignment[tp]) {
      if (b != broker && context_.brokers.count(b)) others.push_back(b);
    }
    batch_.add_leader_and_isr(others, tp, false);
    done();
  });
}

void Controller::send_batch() {
  uint64_t gen = active_generation_;
  auto alive = alive_;
  batch_.send([this, alive, gen](int32_t broker, const proto::StopReplicaResponse& resp) {
    if (!*alive || gen != active_generation_) return;
    put(Event{"TopicDeletionStopReplicaResponseReceived",
              [this, broker, resp](Done d) { process_stop_replica_response(broker, resp, std::move(d)); },
              {}});
  });
}

// ---- broker changes
// ---------------------------------------------------------------------------------------------

void Controller::process_broker_change(Done done) {
  if (!active_) return done();
  uint64_t gen = active_generation_;
  zk_.get_all_brokers_and_epochs(
      watcher("BrokerChange", [this](Done d) { process_broker_change(std::move(d)); }),
      [this, gen, done](ZkError e, std::map<int32_t, zk::KafkaZkClient::BrokerAndEpoch> current) {
        if (gen != active_generation_) return done();
        if (e != ZkError::ok) {
          if (!retry_after_zk_error(
                  "BrokerChange", [this](Done d) { process_broker_change(std::move(d)); }, e))
            log()->warn("cannot read /brokers/ids: {}", zk::to_string(e));
          return done();
        }
        std::vector<int32_t> added, dead, bounced;
        for (auto& [id, b] : current) {
          auto known = context_.brokers.find(id);
          if (known == context_.brokers.end()) {
            added.push_back(id);
          } else if (b.epoch > known->second.epoch) {
            bounced.push_back(id);
          }
        }
        for (auto& [id, b] : context_.brokers) {
          if (!current.count(id)) dead.push_back(id);
        }
        if (added.empty() && dead.empty() && bounced.empty()) return done();
        for (int32_t id : added) log()->info("broker {} added (broker epoch {})", id, current[id].epoch);
        for (int32_t id : bounced)
          log()->info("broker {} bounced (broker epoch {} -> {})", id, context_.brokers[id].epoch,
                      current[id].epoch);
        for (int32_t id : dead) log()->info("broker {} removed", id);
        auto add_channel = [this](int32_t id, const zk::KafkaZkClient::BrokerAndEpoch& b) {
          auto& eps = b.registration.endpoints;
          auto ep = std::find_if(eps.begin(), eps.end(),
                                 [&](const zk::Endpoint& x) { return x.listener_name == control_listener_; });
          if (ep == eps.end()) {
            log()->error("broker {} has no {} endpoint: cannot send it control requests", id,
                         control_listener_);
            return;
          }
          channels_.add_broker(id, ep->host, ep->port);
        };
        for (int32_t id : added) {
          context_.brokers[id] = current[id];
          add_channel(id, current[id]);
        }
        for (int32_t id : dead) {
          context_.brokers.erase(id);
          channels_.remove_broker(id);
        }
        for (int32_t id : bounced) {
          context_.brokers.erase(id);
          channels_.remove_broker(id);
        }
        auto still = [this, gen] { return gen == active_generation_; };
        on_broker_startup(added, [this, still, bounced, dead, current, add_channel, done]() mutable {
          if (!still()) return done();
          on_broker_failure(bounced, [this, still, bounced, dead, current, add_channel, done]() mutable {
            if (!still()) return done();
            for (int32_t id : bounced) {
              context_.brokers[id] = current[id];
              add_channel(id, current[id]);
            }
            on_broker_startup(bounced, [this, still, dead, done] {
              if (!still()) return done();
              on_broker_failure(dead, done);
            });
          });
        });
      });
}

void Controller::on_broker_startup(const std::vector<int32_t>& brokers, Done done) {
  if (brokers.empty()) return done();
  uint64_t gen = active_generation_;
  std::vector<int32_t> existing;
  for (int32_t id : context_.live_or_shutting_down_ids()) {
    if (!contains(brokers, id)) existing.push_back(id);
  }
  batch_.add_update_metadata(existing, {});
  std::vector<log::TopicPartition> all;
  for (auto& [tp, l] : context_.leadership) all.push_back(tp);
  batch_.add_update_metadata(brokers, all);
  // Its own batch: the new brokers know every endpoint before their LeaderAndIsr (Kafka sends it first too).
  send_batch();
  for (int32_t b : brokers) {
    context_.shutting_down.erase(b);
    for (auto& tp : context_.partitions_on(b)) {
      if (context_.topics_to_delete.count(tp.topic)) continue;
      auto state = replica_states_.state({tp, b});
      if (state == ReplicaStateKind::NonExistentReplica)
        replica_states_.transition({tp, b}, ReplicaStateKind::NewReplica);
      replica_states_.transition({tp, b}, ReplicaStateKind::OnlineReplica);
      if (context_.leadership.count(tp)) batch_.add_leader_and_isr({b}, tp, false);
    }
  }
  send_batch();
  trigger_online_partition_state_change([this, gen, done] {
    if (gen != active_generation_) return done();
    send_batch();
    resume_deletions(done);
  });
}

void Controller::on_broker_failure(const std::vector<int32_t>& brokers, Done done) {
  if (brokers.empty()) return done();
  uint64_t gen = active_generation_;
  std::set<int32_t> failed(brokers.begin(), brokers.end());
  for (int32_t b : brokers) context_.shutting_down.erase(b);
  for (auto& [tp, l] : context_.leadership) {
    if (failed.count(l.state.leader) && !context_.topics_to_delete.count(tp.topic)) {
      partition_states_.transition(tp, PartitionStateKind::OfflinePartition);
    }
  }
  trigger_online_partition_state_change([this, gen, brokers, done] {
    if (gen != active_generation_) return done();
    auto list = std::make_shared<std::vector<int32_t>>(brokers);
    sequential(
        list->size(),
        [this, gen, list](size_t i, Done next) {
          if (gen != active_generation_) return next();
          int32_t b = (*list)[i];
          std::vector<log::TopicPartition> tps;
          for (auto& tp : context_.partitions_on(b)) {
            replica_states_.transition({tp, b}, ReplicaStateKind::OfflineReplica);
            if (!context_.topics_to_delete.count(tp.topic)) tps.push_back(tp);
          }
          remove_replica_from_isr(b, tps, next);
        },
        [this, gen, done] {
          if (gen == active_generation_) {
            // Everyone learns that the brokers are gone, also when no partition changed.
            batch_.add_update_metadata(context_.live_or_shutting_down_ids(), {});
            send_batch();
          }
          done();
        });
  });
}

// ---- topics
// -----------------------------------------------------------------------------------------------------

void Controller::process_topic_change(Done done) {
  if (!active_) return done();
  uint64_t gen = active_generation_;
  zk_.get_topics(watcher("TopicChange", [this](Done d) { process_topic_change(std::move(d)); }),
                 [this, gen, done](ZkError e, std::vector<std::string> topics) {
                   if (gen != active_generation_) return done();
                   if (e != ZkError::ok) {
                     if (!retry_after_zk_error(
                             "TopicChange", [this](Done d) { process_topic_change(std::move(d)); }, e))
                       log()->warn("cannot read /brokers/topics: {}", zk::to_string(e));
                     return done();
                   }
                   std::set<std::string> current(topics.begin(), topics.end());
                   std::vector<std::string> gone;
                   for (auto& [t, id] : context_.topic_ids) {
                     if (!current.count(t)) gone.push_back(t);
                   }
                   for (auto& t : gone) {
                     for (auto& tp : context_.partitions_of(t)) {
                       partition_states_.remove(tp);
                       replica_states_.remove_partition(tp);
                     }
                     context_.remove_topic(t);
                   }
                   auto added = std::make_shared<std::vector<std::string>>();
                   for (auto& t : topics) {
                     if (!context_.has_topic(t)) added->push_back(t);
                   }
                   if (added->empty()) return done();
                   parallel(
                       added->size(), [this, added](size_t i, Done next) { load_topic((*added)[i], next); },
                       [this, gen, added, done] {
                         if (gen != active_generation_) return done();
                         std::vector<log::TopicPartition> tps;
                         for (auto& t : *added) {
                           auto p = context_.partitions_of(t);
                           log()->info("new topic {} with {} partitions", t, p.size());
                           tps.insert(tps.end(), p.begin(), p.end());
                         }
                         on_new_partition_creation(tps, done);
                       });
                 });
}

void Controller::process_partition_modifications(const std::string& topic, Done done) {
  if (!active_) return done();
  uint64_t gen = active_generation_;
  zk_.get_topic_assignment(
      topic,
      watcher("PartitionModifications",
              [this, topic](Done d) { process_partition_modifications(topic, std::move(d)); }),
      [this, gen, topic, done](ZkError e, zk::TopicAssignment a) {
        if (gen != active_generation_ || !context_.has_topic(topic)) return done();
        if (e != ZkError::ok) {
          // no_node: the topic is being deleted; its deletion is handled elsewhere.
          retry_after_zk_error(
              "PartitionModifications " + topic,
              [this, topic](Done d) { process_partition_modifications(topic, std::move(d)); }, e);
          return done();
        }
        std::vector<log::TopicPartition> added;
        for (auto& [p, replicas] : a.partitions) {
          log::TopicPartition tp{topic, p};
          if (context_.assignment.count(tp)) continue;
          added.push_back(tp);
        }
        if (added.empty()) return done();
        if (context_.topics_to_delete.count(topic)) {
          log()->warn("ignoring {} new partitions of topic {}: it is being deleted", added.size(), topic);
          return done();
        }
        for (auto& tp : added) context_.assignment[tp] = a.partitions[tp.partition];
        log()->info("topic {}: {} partitions added", topic, added.size());
        on_new_partition_creation(added, done);
      });
}

void Controller::on_new_partition_creation(const std::vector<log::TopicPartition>& partitions, Done done) {
  uint64_t gen = active_generation_;
  for (auto& tp : partitions) {
    partition_states_.transition(tp, PartitionStateKind::NewPartition);
    for (int32_t r : context_.assignment[tp])
      replica_states_.transition({tp, r}, ReplicaStateKind::NewReplica);
  }
  elect_leaders(partitions, Strategy::offline,
                [this, gen, partitions, done](std::vector<log::TopicPartition>) {
                  if (gen != active_generation_) return done();
                  for (auto& tp : partitions) {
                    for (int32_t r : context_.assignment[tp]) {
                      if (context_.is_live(r))
                        replica_states_.transition({tp, r}, ReplicaStateKind::OnlineReplica);
                    }
                  }
                  send_batch();
                  done();
                });
}

// ---- topic deletion (TopicDeletionManager)
// ----------------------------------------------------------------------

void Controller::process_topic_deletion(Done done) {
  if (!active_) return done();
  uint64_t gen = active_generation_;
  zk_.get_topics_marked_for_deletion(
      watcher("TopicDeletion", [this](Done d) { process_topic_deletion(std::move(d)); }),
      [this, gen, done](ZkError e, std::vector<std::string> marked) {
        if (gen != active_generation_) return done();
        if (e != ZkError::ok) {
          if (!retry_after_zk_error(
                  "TopicDeletion", [this](Done d) { process_topic_deletion(std::move(d)); }, e))
            log()->warn("cannot read /admin/delete_topics: {}", zk::to_string(e));
          return done();
        }
        for (auto& t : marked) {
          if (!context_.has_topic(t) || !config_.delete_topic_enable) {
            if (context_.has_topic(t)) log()->warn("not deleting topic {}: delete.topic.enable=false", t);
            zk_.delete_topic_deletion_marker(t, context_.epoch_zk_version, [](ZkError) {});
            continue;
          }
          if (context_.topics_to_delete.insert(t).second) log()->info("topic {} marked for deletion", t);
        }
        resume_deletions(done);
      });
}

void Controller::resume_deletions(Done done) {
  for (const auto& t : std::set<std::string>(context_.topics_to_delete)) {
    if (context_.deletion_started.count(t)) {
      // Retry replicas that failed (or whose broker was down) once their broker is live.
      for (auto& tp : context_.partitions_of(t)) {
        for (int32_t r : context_.assignment[tp]) {
          if (replica_states_.state({tp, r}) == ReplicaStateKind::ReplicaDeletionIneligible &&
              context_.brokers.count(r)) {
            replica_states_.transition({tp, r}, ReplicaStateKind::OfflineReplica);
            replica_states_.transition({tp, r}, ReplicaStateKind::ReplicaDeletionStarted);
            batch_.add_stop_replica(r, tp, true, kEpochDuringDelete);
          }
        }
      }
      continue;
    }
    start_topic_deletion(t);
  }
  send_batch();
  done();
}

void Controller::start_topic_deletion(const std::string& topic) {
  context_.deletion_started.insert(topic);
  auto tps = context_.partitions_of(topic);
  log()->info("deleting topic {} ({} partitions)", topic, tps.size());
  // Brokers drop the partitions from their metadata (leader -2) before their replicas are stopped.
  batch_.add_update_metadata(context_.live_or_shutting_down_ids(), tps);
  for (auto& tp : tps) {
    if (partition_states_.state(tp) != PartitionStateKind::NonExistentPartition) {
      partition_states_.transition(tp, PartitionStateKind::OfflinePartition);
      partition_states_.transition(tp, PartitionStateKind::NonExistentPartition);
    }
    for (int32_t r : context_.assignment[tp]) {
      ReplicaKey key{tp, r};
      if (replica_states_.state(key) == ReplicaStateKind::NonExistentReplica) {
        replica_states_.transition(key, ReplicaStateKind::NewReplica);
      }
      replica_states_.transition(key, ReplicaStateKind::OfflineReplica);
      if (context_.brokers.count(r)) {
        replica_states_.transition(key, ReplicaStateKind::ReplicaDeletionStarted);
        batch_.add_stop_replica(r, tp, true, kEpochDuringDelete);
      } else {
        replica_states_.transition(key, ReplicaStateKind::ReplicaDeletionIneligible);
        log()->info("deletion of {} waits for broker {}", tp.to_string(), r);
      }
    }
  }
}

void Controller::process_stop_replica_response(int32_t broker, const proto::StopReplicaResponse& resp,
                                               Done done) {
  if (!active_) return done();
  std::map<log::TopicPartition, int32_t> errors;
  for (auto& p : resp.partitions()) errors[{p.topic(), p.partition()}] = p.error_code();
  std::set<std::string> touched;
  for (const auto& t : context_.deletion_started) {
    for (auto& tp : context_.partitions_of(t)) {
      ReplicaKey key{tp, broker};
      if (replica_states_.state(key) != ReplicaStateKind::ReplicaDeletionStarted) continue;
      auto it = errors.find(tp);
      if (it == errors.end() && !resp.partitions().empty()) continue;  // not in this response
      int32_t error = it != errors.end() ? it->second : resp.error_code();
      replica_states_.transition(key, error == 0 ? ReplicaStateKind::ReplicaDeletionSuccessful
                                                 : ReplicaStateKind::ReplicaDeletionIneligible);
      touched.insert(t);
    }
  }
  auto complete = std::make_shared<std::vector<std::string>>();
  for (auto& t : touched) {
    if (replica_states_.all_replicas_of_topic_in(t, ReplicaStateKind::ReplicaDeletionSuccessful))
      complete->push_back(t);
  }
  parallel(
      complete->size(),
      [this, complete](size_t i, Done next) { complete_topic_deletion((*complete)[i], next); }, done);
}

void Controller::complete_topic_deletion(const std::string& topic, Done done) {
  uint64_t gen = active_generation_;
  zk_.delete_topic(topic, context_.epoch_zk_version, [this, gen, topic, done](ZkError e) {
    if (gen != active_generation_) return done();
    if (e == ZkError::controller_moved) {
      resign("controller moved (fenced topic deletion)");
      return done();
    }
    if (e != ZkError::ok) {
      log()->error("deleting the znodes of topic {} failed: {}", topic, zk::to_string(e));
      return done();
    }
    for (auto& tp : context_.partitions_of(topic)) {
      partition_states_.remove(tp);
      replica_states_.remove_partition(tp);
    }
    context_.remove_topic(topic);
    topic_configs_.erase(topic);
    log()->info("deleted topic {}", topic);
    done();
  });
}

// ---- ISR change notifications (design A, §4.5)
// ------------------------------------------------------------------

void Controller::process_isr_change_notification(Done done) {
  if (!active_) return done();
  uint64_t gen = active_generation_;
  zk_.get_isr_change_notifications(
      watcher("IsrChangeNotification", [this](Done d) { process_isr_change_notification(std::move(d)); }),
      [this, gen, done](ZkError e, std::vector<std::string> names) {
        if (gen != active_generation_) return done();
        if (e != ZkError::ok) {
          if (!retry_after_zk_error(
                  "IsrChangeNotification", [this](Done d) { process_isr_change_notification(std::move(d)); },
                  e))
            log()->warn("cannot read /isr_change_notification: {}", zk::to_string(e));
          return done();
        }
        if (names.empty()) return done();
        auto tps = std::make_shared<std::set<log::TopicPartition>>();
        auto shared = std::make_shared<std::vector<std::string>>(std::move(names));
        parallel(
            shared->size(),
            [this, shared, tps](size_t i, Done next) {
              zk_.get_isr_change_notification(
                  (*shared)[i], [tps, next](ZkError ne, std::vector<std::pair<std::string, int32_t>> parts) {
                    if (ne == ZkError::ok) {
                      for (auto& [t, p] : parts) tps->insert({t, p});
                    }
                    next();
                  });
            },
            [this, gen, tps, shared, done] {
              if (gen != active_generation_) return done();
              auto known = std::make_shared<std::vector<log::TopicPartition>>();
              for (auto& tp : *tps) {
                if (context_.assignment.count(tp)) known->push_back(tp);
              }
              parallel(
                  known->size(),
                  [this, known](size_t i, Done next) { load_partition_state((*known)[i], next); },
                  [this, gen, known, shared, done] {
                    if (gen != active_generation_) return done();
                    restarted_leaders_.clear();
                    std::vector<std::string> described;
                    for (auto& tp : *known) {
                      auto& s = context_.leadership[tp].state;
                      described.push_back(fmt::format("{} ISR [{}]", tp.to_string(), fmt::join(s.isr, ",")));
                    }
                    log()->info("ISR change seen ({} notifications): {}", shared->size(),
                                fmt::join(described, "; "));
                    batch_.add_update_metadata(context_.live_or_shutting_down_ids(), *known);
                    send_batch();
                    zk_.delete_isr_change_notifications(
                        *shared, context_.epoch_zk_version, [this, gen, done](ZkError de) {
                          if (gen == active_generation_ && de == ZkError::controller_moved) {
                            resign("controller moved");
                          }
                          done();
                        });
                  });
            });
      });
}

// ---- controlled shutdown
// ----------------------------------------------------------------------------------------

void Controller::process_controlled_shutdown(const proto::ControlledShutdownRequest& request,
                                             ControlledShutdownCallback cb, Done done) {
  proto::ControlledShutdownResponse resp;
  int32_t id = request.broker_id();
  auto fail = [&](ErrorCode code) {
    resp.set_error_code(static_cast<int32_t>(code));
    cb(resp);
    done();
  };
  if (!active_) return fail(ErrorCode::NOT_CONTROLLER);
  if (!context_.brokers.count(id)) return fail(ErrorCode::BROKER_NOT_AVAILABLE);
  if (request.broker_epoch() != -1 && request.broker_epoch() < context_.broker_epoch(id)) {
    return fail(ErrorCode::STALE_BROKER_EPOCH);
  }
  context_.shutting_down.insert(id);
  uint64_t gen = active_generation_;
  std::vector<log::TopicPartition> led, followed;
  for (auto& tp : context_.partitions_on(id)) {
    auto l = context_.leadership.find(tp);
    if (context_.assignment[tp].size() <= 1 || l == context_.leadership.end() || l->second.state.leader < 0 ||
        context_.topics_to_delete.count(tp.topic)) {
      continue;
    }
    (l->second.state.leader == id ? led : followed).push_back(tp);
  }
  log()->info("controlled shutdown of broker {}: moving leadership of {} partitions, stopping {} followers",
              id, led.size(), followed.size());
  elect_leaders(led, Strategy::controlled_shutdown,
                [this, gen, id, led, followed, cb, done](std::vector<log::TopicPartition> failed) {
                  if (gen != active_generation_) {
                    proto::ControlledShutdownResponse r;
                    r.set_error_code(static_cast<int32_t>(ErrorCode::NOT_CONTROLLER));
                    cb(r);
                    return done();
                  }
                  for (auto& tp : followed) {
                    batch_.add_stop_replica(id, tp, false, -1);
                    replica_states_.transition({tp, id}, ReplicaStateKind::OfflineReplica);
                  }
                  remove_replica_from_isr(id, followed, [this, gen, id, led, failed, cb, done] {
                    proto::ControlledShutdownResponse r;
                    if (gen != active_generation_) {
                      r.set_error_code(static_cast<int32_t>(ErrorCode::NOT_CONTROLLER));
                      cb(r);
                      return done();
                    }
                    send_batch();
                    for (auto& [tp, l] : context_.leadership) {
                      if (l.state.leader != id) continue;
                      auto* rp = r.add_remaining_partitions();
                      rp->set_topic(tp.topic);
                      rp->set_partition(tp.partition);
                    }
                    log()->info("controlled shutdown of broker {}: {} partitions moved, {} remaining", id,
                                led.size() - failed.size(), r.remaining_partitions_size());
                    cb(r);
                    done();
                  });
                });
}

// ---- preferred replica election
// ---------------------------------------------------------------------------------

void Controller::schedule_auto_rebalance(std::chrono::milliseconds delay) {
  uint64_t gen = active_generation_;
  auto alive = alive_;
  rebalance_timer_ = loop_.run_after(delay, [this, alive, gen] {
    if (!*alive || gen != active_generation_) return;
    put(Event{
        "AutoPreferredReplicaLeaderElection", [this](Done d) { process_auto_rebalance(std::move(d)); }, {}});
  });
}

void Controller::process_auto_rebalance(Done done) {
  if (!active_) return done();
  uint64_t gen = active_generation_;
  std::map<log::TopicPartition, PartitionLeadership> view;
  for (auto& [tp, replicas] : context_.assignment) {
    PartitionLeadership pl;
    pl.assignment = replicas;
    auto l = context_.leadership.find(tp);
    if (l != context_.leadership.end()) {
      pl.leader = l->second.state.leader;
      pl.isr = l->second.state.isr;
    }
    view[tp] = std::move(pl);
  }
  auto tps = partitions_to_rebalance(
      view, context_.live_ids(), config_.leader_imbalance_per_broker_percentage, context_.topics_to_delete);
  auto reschedule = [this, gen, done] {
    if (gen == active_generation_) {
      schedule_auto_rebalance(
          std::chrono::seconds(std::max<int64_t>(config_.leader_imbalance_check_interval_seconds, 1)));
    }
    done();
  };
  if (tps.empty()) return reschedule();
  std::vector<std::string> names;
  for (auto& tp : tps) names.push_back(tp.to_string());
  log()->info("preferred leader election (auto rebalance) for {} partitions: {}", tps.size(),
              fmt::join(names, ","));
  elect_leaders(tps, Strategy::preferred, [this, gen, reschedule](std::vector<log::TopicPartition>) {
    if (gen == active_generation_) send_batch();
    reschedule();
  });
}

void Controller::process_preferred_replica_election(Done done) {
  if (!active_) return done();
  uint64_t gen = active_generation_;
  zk_.get_preferred_replica_election(
      watcher("ReplicaLeaderElection", [this](Done d) { process_preferred_replica_election(std::move(d)); }),
      [this, gen, done](ZkError e, std::optional<std::vector<std::pair<std::string, int32_t>>> parts) {
        if (gen != active_generation_ || e != ZkError::ok || !parts) return done();
        std::vector<log::TopicPartition> tps;
        for (auto& [t, p] : *parts) {
          log::TopicPartition tp{t, p};
          auto a = context_.assignment.find(tp);
          auto l = context_.leadership.find(tp);
          if (a == context_.assignment.end() || l == context_.leadership.end() || a->second.empty()) continue;
          if (context_.topics_to_delete.count(t) || l->second.state.leader == a->second.front()) continue;
          tps.push_back(tp);
        }
        log()->info("preferred leader election requested for {} partitions ({} need it)", parts->size(),
                    tps.size());
        elect_leaders(tps, Strategy::preferred, [this, gen, done](std::vector<log::TopicPartition>) {
          if (gen != active_generation_) return done();
          send_batch();
          zk_.delete_preferred_replica_election(context_.epoch_zk_version, [this, gen, done](ZkError de) {
            if (gen == active_generation_ && de == ZkError::controller_moved) resign("controller moved");
            done();
          });
        });
      });
}

}  // namespace gregor::broker
