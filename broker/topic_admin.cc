// TopicAdmin: validates topic requests, writes Kafka's znodes (AdminZkClient), waits for the controller's
// result.
#include "broker/topic_admin.h"

#include <algorithm>
#include <memory>

#include "broker/controller/replica_assignment.h"
#include "broker/logging.h"

namespace gregor::broker {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);

// Calls done() once `count` callbacks have fired (count 0 calls it at once).
std::function<void()> barrier(size_t count, std::function<void()> done) {
  if (count == 0) {
    done();
    return [] {};
  }
  auto left = std::make_shared<size_t>(count);
  return [left, done = std::move(done)] {
    if (--*left == 0) done();
  };
}

}  // namespace

TopicAdmin::TopicAdmin(const BrokerConfig& config, const TopicConfigs& topic_configs, zk::KafkaZkClient& zk,
                       const MetadataCache& metadata, EventLoop& loop, std::function<bool()> is_controller)
    : config_(config),
      topic_configs_(topic_configs),
      zk_(zk),
      metadata_(metadata),
      loop_(loop),
      is_controller_(std::move(is_controller)) {}

TopicAdmin::~TopicAdmin() = default;

std::vector<int32_t> TopicAdmin::live_broker_ids() const {
  std::vector<int32_t> ids;
  for (auto& [id, b] : metadata_.brokers) ids.push_back(id);
  return ids;
}

void TopicAdmin::wait_until(std::function<bool()> ready, int32_t timeout_ms, std::function<void(bool)> done) {
  if (ready()) return done(true);
  if (timeout_ms <= 0) return done(false);
  waiters_.push_back(Waiter{std::move(ready), loop_.now_ms() + timeout_ms, std::move(done)});
  if (!poller_) poller_ = loop_.run_every(kPollInterval, [this] { poll_waiters(); });
}

void TopicAdmin::poll_waiters() {
  int64_t now = loop_.now_ms();
  std::vector<std::pair<std::function<void(bool)>, bool>> finished;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    bool ready = it->ready();
    if (ready || now >= it->deadline_ms) {
      finished.emplace_back(std::move(it->done), ready);
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  // Callbacks after the sweep: they may add waiters. The poller itself stays (destroying a timer from inside
  // its own callback is not allowed); it only checks an empty list when idle.
  for (auto& [done, ready] : finished) done(ready);
}

bool TopicAdmin::has_leaders(const std::string& topic, int32_t partitions) const {
  const TopicInfo* info = metadata_.topic(topic);
  if (!info) return false;
  for (int32_t p = 0; p < partitions; ++p) {
    auto it = info->partitions.find(p);
    if (it == info->partitions.end() || it->second.leader < 0) return false;
  }
  return true;
}

Result<std::map<int32_t, std::vector<int32_t>>, TopicResult> TopicAdmin::plan_topic(const NewTopic& t) const {
  auto fail = [&](ErrorCode e, std::string msg) {
    return unexpected(TopicResult{t.name, e, std::move(msg)});
  };
  if (auto reason = invalid_topic_name_reason(t.name))
    return fail(ErrorCode::INVALID_TOPIC_EXCEPTION, *reason);
  if (metadata_.topics.count(t.name) || creating_.count(t.name)) {
    return fail(ErrorCode::TOPIC_ALREADY_EXISTS, "Topic '" + t.name + "' already exists.");
  }
  if (auto ok = topic_configs_.validate(t.configs); !ok) return fail(ErrorCode::INVALID_CONFIG, ok.error());
  auto live = live_broker_ids();
  if (!t.assignments.empty()) {
    if (t.num_partitions != -1 || t.replication_factor != -1) {
      return fail(
          ErrorCode::INVALID_REQUEST,
          "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at "
          "the same time.");
    }
    size_t rf = t.assignments.begin()->second.size();
    int32_t expected = 0;
    for (auto& [p, replicas] : t.assignments) {
      if (p != expected++) return fail(ErrorCode::INVALID_REPLICA_ASSIGNMENT, "partitions must be 0..n-1");
      std::set<int32_t> unique(replicas.begin(), replicas.end());
      if (replicas.empty() || unique.size() != replicas.size() || replicas.size() != rf) {
        return fail(ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                    "replica lists must be non-empty, distinct, same size");
      }
      for (int32_t b : replicas) {
        if (!metadata_.is_alive(b)) {
          return fail(ErrorCode::INVALID_REPLICA_ASSIGNMENT, "unknown broker " + std::to_string(b));
        }
      }
    }
    return t.assignments;
  }
  int32_t partitions = t.num_partitions == -1 ? config_.num_partitions : t.num_partitions;
  int32_t rf = t.replication_factor == -1 ? config_.default_replication_factor : t.replication_factor;
  if (partitions <= 0)
    return fail(ErrorCode::INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
  if (rf <= 0)
    return fail(ErrorCode::INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
  if (rf > static_cast<int32_t>(live.size())) {
    return fail(ErrorCode::INVALID_REPLICATION_FACTOR,
                "Replication factor: " + std::to_string(rf) +
                    " larger than available brokers: " + std::to_string(live.size()) + ".");
  }
  return assign_replicas_to_brokers(live, partitions, rf);
}

void TopicAdmin::create_topics(std::vector<NewTopic> topics, bool validate_only, int32_t timeout_ms,
                               Done done) {
  auto results = std::make_shared<std::vector<TopicResult>>(topics.size());
  auto finish = barrier(topics.size(), [results, done] { done(*results); });
  std::map<std::string, int> seen;
  for (auto& t : topics) seen[t.name]++;
  for (size_t i = 0; i < topics.size(); ++i) {
    auto& t = topics[i];
    (*results)[i].name = t.name;
    if (seen[t.name] > 1) {
      (*results)[i] = {t.name, ErrorCode::INVALID_REQUEST,
                       "Create topics request from client contains a duplicate topic"};
      finish();
      continue;
    }
    if (!validate_only && !is_controller_()) {
      (*results)[i] = {t.name, ErrorCode::NOT_CONTROLLER,
                       "This is not the correct controller for this cluster."};
      finish();
      continue;
    }
    auto plan = plan_topic(t);
    if (!plan) {
      (*results)[i] = plan.error();
      finish();
      continue;
    }
    if (validate_only) {
      finish();
      continue;
    }
    auto partitions = static_cast<int32_t>(plan->size());
    write_new_topic(t.name, std::move(*plan), t.configs,
                    [this, results, i, finish, timeout_ms, partitions](TopicResult r) {
                      if (r.error != ErrorCode::NONE || timeout_ms <= 0) {
                        (*results)[i] = std::move(r);
                        return finish();
                      }
                      std::string name = r.name;
                      wait_until(
                          [this, name, partitions] { return has_leaders(name, partitions); }, timeout_ms,
                          [results, i, name, finish](bool ready) {
                            if (!ready) {
                              (*results)[i] = {name, ErrorCode::REQUEST_TIMED_OUT,
                                               "Timed out waiting for the leaders of topic '" + name + "'."};
                            }
                            finish();
                          });
                    });
  }
}

void TopicAdmin::write_new_topic(const std::string& name, std::map<int32_t, std::vector<int32_t>> assignment,
                                 std::map<std::string, std::string> configs,
                                 std::function<void(TopicResult)> done) {
  creating_.insert(name);
  zk::TopicAssignment a;
  a.topic_id = zk::new_topic_id();
  a.partitions = std::move(assignment);
  size_t rf = a.partitions.begin()->second.size();
  size_t count = a.partitions.size();
  zk_.create_topic(name, a, configs, [this, name, rf, count, done](zk::ZkError err) {
    creating_.erase(name);
    if (err != zk::ZkError::ok) {
      auto code =
          err == zk::ZkError::node_exists ? ErrorCode::TOPIC_ALREADY_EXISTS : ErrorCode::UNKNOWN_SERVER_ERROR;
      std::string msg = err == zk::ZkError::node_exists ? "Topic '" + name + "' already exists."
                                                        : "ZooKeeper: " + std::string(zk::to_string(err));
      return done({name, code, msg});
    }
    logger("broker")->info("wrote topic {} ({} partitions, replication factor {}) for the controller", name,
                           count, rf);
    done({name, ErrorCode::NONE, ""});
  });
}

void TopicAdmin::fetch_topic_config(const std::string& topic,
                                    std::function<void(std::map<std::string, std::string>)> done) {
  zk_.get_topic_config(topic, [topic, done](zk::ZkError e, std::map<std::string, std::string> config) {
    if (e != zk::ZkError::ok)
      logger("broker")->warn("cannot read the config of topic {}: {}", topic, zk::to_string(e));
    done(std::move(config));
  });
}

void TopicAdmin::auto_create_topic(const std::string& name) {
  if (metadata_.topics.count(name) || creating_.count(name)) return;
  NewTopic t;
  t.name = name;
  auto plan = plan_topic(t);
  if (!plan) {
    logger("broker")->warn("cannot auto-create topic {}: {}", name, plan.error().message);
    return;
  }
  write_new_topic(name, std::move(*plan), {}, [](TopicResult r) {
    if (r.error != ErrorCode::NONE && r.error != ErrorCode::TOPIC_ALREADY_EXISTS) {
      logger("broker")->warn("auto-creation of topic {} failed: {}", r.name, r.message);
    }
  });
}

void TopicAdmin::create_offsets_topic() {
  if (metadata_.topics.count(kConsumerOffsetsTopic) || creating_.count(kConsumerOffsetsTopic)) return;
  NewTopic t;
  t.name = kConsumerOffsetsTopic;
  t.num_partitions = config_.offsets_topic_num_partitions;
  auto live = static_cast<int16_t>(std::min<size_t>(live_broker_ids().size(), INT16_MAX));
  t.replication_factor = std::min(config_.offsets_topic_replication_factor, live);
  t.configs = {{"cleanup.policy", "compact"},
               {"compression.type", "producer"},
               {"segment.bytes", std::to_string(config_.offsets_topic_segment_bytes)}};
  auto plan = plan_topic(t);
  if (!plan) {
    logger("broker")->warn("cannot create {} yet: {}", kConsumerOffsetsTopic, plan.error().message);
    return;
  }
  write_new_topic(t.name, std::move(*plan), t.configs, [](TopicResult r) {
    if (r.error != ErrorCode::NONE && r.error != ErrorCode::TOPIC_ALREADY_EXISTS) {
      logger("broker")->warn("creating {} failed: {}", r.name, r.message);
    }
  });
}

void TopicAdmin::delete_topics(std::vector<std::string> names, int32_t timeout_ms, Done done) {
  auto results = std::make_shared<std::vector<TopicResult>>(names.size());
  auto finish = barrier(names.size(), [results, done] { done(*results); });
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name = names[i];
    (*results)[i].name = name;
    if (!metadata_.topic(name)) {
      (*results)[i].error = ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
    } else if (!config_.delete_topic_enable) {
      (*results)[i].error = ErrorCode::TOPIC_DELETION_DISABLED;
    } else if (!is_controller_()) {
      (*results)[i].error = ErrorCode::NOT_CONTROLLER;
    }
    if ((*results)[i].error != ErrorCode::NONE) {
      finish();
      continue;
    }
    zk_.mark_topic_for_deletion(name, [this, name, results, i, finish, timeout_ms](zk::ZkError err) {
      // Already marked: track this deletion too (Kafka swallows TopicAlreadyMarkedForDeletion).
      if (err != zk::ZkError::ok && err != zk::ZkError::node_exists) {
        (*results)[i].error = ErrorCode::UNKNOWN_SERVER_ERROR;
        (*results)[i].message = std::string(zk::to_string(err));
        return finish();
      }
      logger("broker")->info("marked topic {} for deletion", name);
      wait_until([this, name] { return metadata_.topics.count(name) == 0; }, timeout_ms,
                 [results, i, timeout_ms, finish](bool gone) {
                   if (!gone && timeout_ms > 0) (*results)[i].error = ErrorCode::REQUEST_TIMED_OUT;
                   finish();
                 });
    });
  }
}

void TopicAdmin::create_partitions(const std::string& topic, int32_t new_count,
                                   std::vector<std::vector<int32_t>> new_assignments, bool validate_only,
                                   int32_t timeout_ms, std::function<void(TopicResult)> done) {
  const TopicInfo* info = metadata_.topic(topic);
  if (!info)
    return done({topic, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + topic + "' does not exist."});
  if (!validate_only && !is_controller_()) {
    return done({topic, ErrorCode::NOT_CONTROLLER, "This is not the correct controller for this cluster."});
  }
  int32_t current = static_cast<int32_t>(info->partitions.size());
  if (new_count <= current) {
    return done({topic, ErrorCode::INVALID_PARTITIONS,
                 "Topic currently has " + std::to_string(current) +
                     " partitions, which is higher than the requested " + std::to_string(new_count) + "."});
  }
  auto rf = static_cast<int32_t>(info->partitions.begin()->second.replicas.size());
  std::map<int32_t, std::vector<int32_t>> added;
  if (!new_assignments.empty()) {
    if (static_cast<int32_t>(new_assignments.size()) != new_count - current) {
      return done({topic, ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                   "Increasing the number of partitions by " + std::to_string(new_count - current) + " but " +
                       std::to_string(new_assignments.size()) + " assignments provided."});
    }
    for (size_t i = 0; i < new_assignments.size(); ++i) {
      for (int32_t b : new_assignments[i]) {
        if (!metadata_.is_alive(b)) {
          return done({topic, ErrorCode::INVALID_REPLICA_ASSIGNMENT, "Unknown broker " + std::to_string(b)});
        }
      }
      added[current + static_cast<int32_t>(i)] = new_assignments[i];
    }
  } else {
    auto live = live_broker_ids();
    if (rf > static_cast<int32_t>(live.size())) {
      return done({topic, ErrorCode::INVALID_REPLICATION_FACTOR,
                   "Replication factor: " + std::to_string(rf) +
                       " larger than available brokers: " + std::to_string(live.size()) + "."});
    }
    // Kafka: start at the first broker with id >= partition 0's preferred leader.
    int32_t start = 0;
    auto p0 = info->partitions.find(0);
    if (p0 != info->partitions.end() && !p0->second.replicas.empty()) {
      auto sorted = live;
      std::sort(sorted.begin(), sorted.end());
      auto it = std::find_if(sorted.begin(), sorted.end(),
                             [&](int32_t b) { return b >= p0->second.replicas.front(); });
      start = it == sorted.end() ? 0 : static_cast<int32_t>(it - sorted.begin());
    }
    added = assign_replicas_to_brokers(live, new_count - current, rf, start, start, current);
  }
  if (validate_only) return done({topic, ErrorCode::NONE, ""});
  zk::TopicAssignment a;
  a.topic_id = info->topic_id;
  for (auto& [p, pi] : info->partitions) a.partitions[p] = pi.replicas;
  for (auto& [p, r] : added) a.partitions[p] = r;
  zk_.set_topic_assignment(topic, a, -1, [this, topic, new_count, added, timeout_ms, done](zk::ZkError err) {
    if (err != zk::ZkError::ok) {
      return done({topic, ErrorCode::UNKNOWN_SERVER_ERROR, std::string(zk::to_string(err))});
    }
    logger("broker")->info("wrote {} new partitions of topic {} for the controller", added.size(), topic);
    if (timeout_ms <= 0) return done({topic, ErrorCode::NONE, ""});
    wait_until(
        [this, topic, new_count] { return has_leaders(topic, new_count); }, timeout_ms,
        [topic, done](bool ready) {
          if (!ready)
            return done({topic, ErrorCode::REQUEST_TIMED_OUT, "Timed out waiting for the new partitions."});
          done({topic, ErrorCode::NONE, ""});
        });
  });
}

}  // namespace gregor::broker
