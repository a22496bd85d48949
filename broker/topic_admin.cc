// TopicAdmin: topic lifecycle in ZooKeeper (Kafka's znodes) mirrored into the metadata cache and local logs.
#include "broker/topic_admin.h"

#include <algorithm>
#include <memory>

#include "broker/controller/replica_assignment.h"
#include "broker/logging.h"

namespace gregor::broker {
namespace {

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
                       MetadataCache& metadata, ReplicaManager& replicas, log::LogManager& logs)
    : config_(config), topic_configs_(topic_configs), zk_(zk), metadata_(metadata), replicas_(replicas), logs_(logs) {}

void TopicAdmin::set_controller(bool is_controller, int32_t controller_epoch, int32_t epoch_zk_version) {
  is_controller_ = is_controller;
  controller_epoch_ = controller_epoch;
  epoch_zk_version_ = epoch_zk_version;
}

std::vector<int32_t> TopicAdmin::live_broker_ids() const {
  std::vector<int32_t> ids;
  for (auto& [id, b] : metadata_.brokers) ids.push_back(id);
  return ids;
}

void TopicAdmin::refresh_brokers() {
  zk_.get_broker_ids([this](zk::WatchEvent, const std::string&) { refresh_brokers(); },
                     [this](zk::ZkError err, std::vector<int32_t> ids) {
                       if (err != zk::ZkError::ok) return;
                       for (int32_t id : ids) {
                         zk_.get_broker(id, [this, id](zk::ZkError e, zk::BrokerRegistration reg, zk::Stat) {
                           if (e != zk::ZkError::ok) return;
                           LiveBroker b;
                           b.id = id;
                           b.rack = reg.rack;
                           for (auto& ep : reg.endpoints) b.endpoints[ep.listener_name] = {ep.host, ep.port};
                           metadata_.brokers[id] = std::move(b);
                         });
                       }
                       std::erase_if(metadata_.brokers, [&](auto& kv) {
                         return std::find(ids.begin(), ids.end(), kv.first) == ids.end();
                       });
                     });
}

void TopicAdmin::load(std::function<void(std::string)> done) {
  zk_.get_topics({}, [this, done](zk::ZkError err, std::vector<std::string> topics) {
    if (err != zk::ZkError::ok) return done("cannot list /brokers/topics: " + std::string(zk::to_string(err)));
    auto next = barrier(topics.size(), [done] { done(""); });
    for (auto& t : topics) load_topic(t, next);
  });
}

void TopicAdmin::load_topic(const std::string& topic, std::function<void()> done) {
  zk_.get_topic_config(topic, [this, topic, done](zk::ZkError, std::map<std::string, std::string> config) {
    zk_.get_topic_assignment(topic, {}, [this, topic, config, done](zk::ZkError err, zk::TopicAssignment a) {
      if (err != zk::ZkError::ok) {
        logger("controller")->warn("cannot read assignment of topic {}: {}", topic, zk::to_string(err));
        return done();
      }
      auto& info = metadata_.topics[topic];
      info.topic_id = a.topic_id;
      info.config = config;
      auto next = barrier(a.partitions.size(), done);
      for (auto& [p, replicas] : a.partitions) {
        info.partitions[p].replicas = replicas;
        zk_.get_partition_state(topic, p, {},
                                [this, topic, p = p, next](zk::ZkError e, zk::PartitionState s, int32_t version) {
                                  std::optional<zk::PartitionState> state;
                                  if (e == zk::ZkError::ok) state = s;
                                  elect_and_apply(topic, p, state, e == zk::ZkError::ok ? version : -1, next);
                                });
      }
    });
  });
}

// Kafka's OnlinePartition election for a lone controller: keep a live leader, otherwise pick the first live
// ISR member (first live replica for a partition without state) and bump the leader epoch.
void TopicAdmin::elect_and_apply(const std::string& topic, int32_t partition, std::optional<zk::PartitionState> state,
                                 int32_t zk_version, std::function<void()> done) {
  auto& info = metadata_.topics[topic].partitions[partition];
  bool leader_alive = state && state->leader >= 0 && metadata_.is_alive(state->leader) &&
                      !(state->leader == config_.broker_id && !replicas_.partition({topic, partition}));
  if (leader_alive || !is_controller_) {
    if (state) {
      info.leader = state->leader;
      info.leader_epoch = state->leader_epoch;
      info.isr = state->isr;
      info.zk_version = zk_version;
    }
    apply_partition(topic, partition, info);
    return done();
  }
  std::vector<int32_t> candidates = state ? state->isr : info.replicas;
  auto live = [&](int32_t id) { return metadata_.is_alive(id); };
  auto leader = std::find_if(candidates.begin(), candidates.end(), live);
  zk::PartitionState next;
  next.controller_epoch = controller_epoch_;
  next.leader_epoch = state ? state->leader_epoch + 1 : 0;
  if (leader == candidates.end()) {
    // unclean.leader.election.enable=false: the partition stays offline until an ISR member returns.
    logger("controller")->warn("[{}-{}] no live ISR member in [{}]: partition offline", topic, partition,
                               fmt::join(candidates, ","));
    next.leader = -1;
    next.isr = candidates;
  } else {
    next.leader = *leader;
    for (int32_t r : info.replicas) {
      if (live(r)) next.isr.push_back(r);
    }
  }
  auto write = [this, topic, partition, next, done](zk::ZkError err, int32_t new_version) {
    auto& info = metadata_.topics[topic].partitions[partition];
    if (err != zk::ZkError::ok) {
      logger("controller")->error("[{}-{}] cannot write partition state: {}", topic, partition, zk::to_string(err));
      return done();
    }
    info.leader = next.leader;
    info.leader_epoch = next.leader_epoch;
    info.isr = next.isr;
    info.zk_version = new_version;
    logger("controller")->info("[{}-{}] elected leader {} at leader epoch {}, ISR [{}]", topic, partition, next.leader,
                               next.leader_epoch, fmt::join(next.isr, ","));
    apply_partition(topic, partition, info);
    done();
  };
  if (zk_version < 0) {
    zk_.create_partition_states(topic, {{partition, next}}, epoch_zk_version_,
                                [write](zk::ZkError err) { write(err, 0); });
  } else {
    zk_.update_partition_state(topic, partition, next, zk_version, epoch_zk_version_, write);
  }
}

void TopicAdmin::apply_partition(const std::string& topic, int32_t partition, const PartitionInfo& info) {
  bool hosted = std::find(info.replicas.begin(), info.replicas.end(), config_.broker_id) != info.replicas.end();
  if (!hosted) return;
  log::TopicPartition tp{topic, partition};
  auto settings = topic_configs_.resolve(metadata_.topics[topic].config);
  auto p = replicas_.get_or_create_partition(tp, settings);
  if (!p) {
    logger("broker")->error("[{}] {}", tp.to_string(), p.error());
    return;
  }
  if (info.leader == config_.broker_id) {
    (*p)->make_leader(info.leader_epoch, info.replicas, info.isr, info.zk_version, logs_.high_watermark_checkpoint(tp));
    replicas_.notify_leadership(tp, true);
  } else {
    (*p)->make_follower(info.leader, info.leader_epoch, info.replicas, info.zk_version);
    replicas_.notify_leadership(tp, false);
  }
}

Result<std::map<int32_t, std::vector<int32_t>>, TopicResult> TopicAdmin::plan_topic(const NewTopic& t) const {
  auto fail = [&](ErrorCode e, std::string msg) { return unexpected(TopicResult{t.name, e, std::move(msg)}); };
  if (auto reason = invalid_topic_name_reason(t.name)) return fail(ErrorCode::INVALID_TOPIC_EXCEPTION, *reason);
  if (metadata_.topics.count(t.name) || creating_.count(t.name)) {
    return fail(ErrorCode::TOPIC_ALREADY_EXISTS, "Topic '" + t.name + "' already exists.");
  }
  if (auto ok = topic_configs_.validate(t.configs); !ok) return fail(ErrorCode::INVALID_CONFIG, ok.error());
  auto live = live_broker_ids();
  if (!t.assignments.empty()) {
    if (t.num_partitions != -1 || t.replication_factor != -1) {
      return fail(ErrorCode::INVALID_REQUEST,
                  "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
    }
    size_t rf = t.assignments.begin()->second.size();
    int32_t expected = 0;
    for (auto& [p, replicas] : t.assignments) {
      if (p != expected++) return fail(ErrorCode::INVALID_REPLICA_ASSIGNMENT, "partitions must be 0..n-1");
      std::set<int32_t> unique(replicas.begin(), replicas.end());
      if (replicas.empty() || unique.size() != replicas.size() || replicas.size() != rf) {
        return fail(ErrorCode::INVALID_REPLICA_ASSIGNMENT, "replica lists must be non-empty, distinct, same size");
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
  if (partitions <= 0) return fail(ErrorCode::INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
  if (rf <= 0) return fail(ErrorCode::INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
  if (rf > static_cast<int32_t>(live.size())) {
    return fail(ErrorCode::INVALID_REPLICATION_FACTOR, "Replication factor: " + std::to_string(rf) +
                                                           " larger than available brokers: " +
                                                           std::to_string(live.size()) + ".");
  }
  return assign_replicas_to_brokers(live, partitions, rf);
}

void TopicAdmin::create_topics(std::vector<NewTopic> topics, bool validate_only, Done done) {
  auto results = std::make_shared<std::vector<TopicResult>>(topics.size());
  auto finish = barrier(topics.size(), [results, done] { done(*results); });
  std::map<std::string, int> seen;
  for (auto& t : topics) seen[t.name]++;
  for (size_t i = 0; i < topics.size(); ++i) {
    auto& t = topics[i];
    (*results)[i].name = t.name;
    if (seen[t.name] > 1) {
      (*results)[i] = {t.name, ErrorCode::INVALID_REQUEST, "Create topics request from client contains a duplicate topic"};
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
    if (!is_controller_) {
      (*results)[i] = {t.name, ErrorCode::NOT_CONTROLLER, "This is not the correct controller for this cluster."};
      finish();
      continue;
    }
    write_new_topic(t.name, std::move(*plan), t.configs, [results, i, finish](TopicResult r) {
      (*results)[i] = std::move(r);
      finish();
    });
  }
}

void TopicAdmin::write_new_topic(const std::string& name, std::map<int32_t, std::vector<int32_t>> assignment,
                                 std::map<std::string, std::string> configs, std::function<void(TopicResult)> done) {
  creating_.insert(name);
  zk::TopicAssignment a;
  a.topic_id = zk::new_topic_id();
  a.partitions = assignment;
  zk_.create_topic(name, a, configs, [this, name, a, configs, done](zk::ZkError err) {
    if (err != zk::ZkError::ok) {
      creating_.erase(name);
      auto code = err == zk::ZkError::node_exists ? ErrorCode::TOPIC_ALREADY_EXISTS : ErrorCode::UNKNOWN_SERVER_ERROR;
      return done({name, code, "ZooKeeper: " + std::string(zk::to_string(err))});
    }
    auto& info = metadata_.topics[name];
    info.topic_id = a.topic_id;
    info.config = configs;
    for (auto& [p, replicas] : a.partitions) info.partitions[p].replicas = replicas;
    auto next = barrier(a.partitions.size(), [this, name, a, done] {
      creating_.erase(name);
      logger("controller")->info("created topic {} with {} partitions, replication factor {}", name,
                                 a.partitions.size(), a.partitions.begin()->second.size());
      done({name, ErrorCode::NONE, ""});
    });
    for (auto& [p, replicas] : a.partitions) elect_and_apply(name, p, std::nullopt, -1, next);
  });
}

void TopicAdmin::auto_create_topic(const std::string& name) {
  if (!is_controller_ || metadata_.topics.count(name) || creating_.count(name)) return;
  NewTopic t;
  t.name = name;
  auto plan = plan_topic(t);
  if (!plan) {
    logger("controller")->warn("cannot auto-create topic {}: {}", name, plan.error().message);
    return;
  }
  write_new_topic(name, std::move(*plan), {}, [](TopicResult r) {
    if (r.error != ErrorCode::NONE) {
      logger("controller")->warn("auto-creation of topic {} failed: {}", r.name, r.message);
    }
  });
}

void TopicAdmin::create_offsets_topic() {
  if (!is_controller_ || metadata_.topics.count(kConsumerOffsetsTopic) || creating_.count(kConsumerOffsetsTopic)) return;
  NewTopic t;
  t.name = kConsumerOffsetsTopic;
  t.num_partitions = config_.offsets_topic_num_partitions;
  t.replication_factor = config_.offsets_topic_replication_factor;
  t.configs = {{"cleanup.policy", "compact"},
               {"compression.type", "producer"},
               {"segment.bytes", std::to_string(config_.offsets_topic_segment_bytes)}};
  auto plan = plan_topic(t);
  if (!plan) {
    // Kafka refuses to create it with fewer live brokers than offsets.topic.replication.factor.
    logger("controller")->warn("cannot create {} yet: {}", kConsumerOffsetsTopic, plan.error().message);
    return;
  }
  write_new_topic(t.name, std::move(*plan), t.configs, [](TopicResult r) {
    if (r.error != ErrorCode::NONE) logger("controller")->warn("creating {} failed: {}", r.name, r.message);
  });
}

void TopicAdmin::delete_topics(std::vector<std::string> names, Done done) {
  auto results = std::make_shared<std::vector<TopicResult>>(names.size());
  auto finish = barrier(names.size(), [results, done] { done(*results); });
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name = names[i];
    (*results)[i].name = name;
    auto it = metadata_.topics.find(name);
    if (it == metadata_.topics.end() || it->second.deleting) {
      (*results)[i].error = ErrorCode::UNKNOWN_TOPIC_OR_PARTITION;
    } else if (!config_.delete_topic_enable) {
      (*results)[i].error = ErrorCode::TOPIC_DELETION_DISABLED;
    } else if (!is_controller_) {
      (*results)[i].error = ErrorCode::NOT_CONTROLLER;
    }
    if ((*results)[i].error != ErrorCode::NONE) {
      finish();
      continue;
    }
    it->second.deleting = true;
    zk_.mark_topic_for_deletion(name, [this, name, results, i, finish](zk::ZkError err) {
      if (err != zk::ZkError::ok && err != zk::ZkError::node_exists) {
        metadata_.topics[name].deleting = false;
        (*results)[i].error = ErrorCode::UNKNOWN_SERVER_ERROR;
        (*results)[i].message = std::string(zk::to_string(err));
        return finish();
      }
      for (auto& [p, info] : metadata_.topics[name].partitions) replicas_.remove_partition({name, p}, true);
      zk_.delete_topic(name, epoch_zk_version_, [this, name, results, i, finish](zk::ZkError e) {
        if (e != zk::ZkError::ok) {
          logger("controller")->error("deleting znodes of topic {} failed: {}", name, zk::to_string(e));
        }
        metadata_.topics.erase(name);
        logger("controller")->info("deleted topic {}", name);
        finish();
      });
    });
  }
}

void TopicAdmin::create_partitions(const std::string& topic, int32_t new_count,
                                   std::vector<std::vector<int32_t>> new_assignments, bool validate_only,
                                   std::function<void(TopicResult)> done) {
  auto it = metadata_.topics.find(topic);
  if (it == metadata_.topics.end() || it->second.deleting) {
    return done({topic, ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + topic + "' does not exist."});
  }
  int32_t current = static_cast<int32_t>(it->second.partitions.size());
  if (new_count <= current) {
    return done({topic, ErrorCode::INVALID_PARTITIONS,
                 "Topic currently has " + std::to_string(current) + " partitions, which is higher than the requested " +
                     std::to_string(new_count) + "."});
  }
  auto rf = static_cast<int32_t>(it->second.partitions.begin()->second.replicas.size());
  std::map<int32_t, std::vector<int32_t>> added;
  if (!new_assignments.empty()) {
    if (static_cast<int32_t>(new_assignments.size()) != new_count - current) {
      return done({topic, ErrorCode::INVALID_REPLICA_ASSIGNMENT, "Increasing the number of partitions by " +
                                                                     std::to_string(new_count - current) +
                                                                     " but " + std::to_string(new_assignments.size()) +
                                                                     " assignments provided."});
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
      return done({topic, ErrorCode::INVALID_REPLICATION_FACTOR, "not enough live brokers"});
    }
    added = assign_replicas_to_brokers(live, new_count - current, rf, -1, -1, current);
  }
  if (validate_only) return done({topic, ErrorCode::NONE, ""});
  if (!is_controller_) return done({topic, ErrorCode::NOT_CONTROLLER, ""});
  zk::TopicAssignment a;
  a.topic_id = it->second.topic_id;
  for (auto& [p, info] : it->second.partitions) a.partitions[p] = info.replicas;
  for (auto& [p, r] : added) a.partitions[p] = r;
  zk_.set_topic_assignment(topic, a, -1, [this, topic, added, done](zk::ZkError err) {
    if (err != zk::ZkError::ok) return done({topic, ErrorCode::UNKNOWN_SERVER_ERROR, std::string(zk::to_string(err))});
    for (auto& [p, r] : added) metadata_.topics[topic].partitions[p].replicas = r;
    auto next = barrier(added.size(), [topic, added, done] {
      logger("controller")->info("added {} partitions to topic {}", added.size(), topic);
      done({topic, ErrorCode::NONE, ""});
    });
    for (auto& [p, r] : added) elect_and_apply(topic, p, std::nullopt, -1, next);
  });
}

}  // namespace gregor::broker
