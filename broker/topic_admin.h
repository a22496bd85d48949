// TopicAdmin: the admin side of topic lifecycle (Kafka's AdminZkClient + ZkAdminManager) — validates
// requests, writes the znodes the controller watches, then waits until the metadata cache shows the result.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/config.h"
#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "broker/topic_config.h"
#include "protocol/error_code.h"
#include "zk/kafka_zk_client.h"

namespace gregor::broker {

struct NewTopic {
  std::string name;
  int32_t num_partitions = -1;                          // -1 = num.partitions
  int16_t replication_factor = -1;                      // -1 = default.replication.factor
  std::map<int32_t, std::vector<int32_t>> assignments;  // manual assignment (then both counts are -1)
  std::map<std::string, std::string> configs;
};

struct TopicResult {
  std::string name;
  ErrorCode error = ErrorCode::NONE;
  std::string message;
};

class TopicAdmin {
 public:
  // is_controller: whether this broker is the active controller (CreateTopics, DeleteTopics and
  // CreatePartitions are answered NOT_CONTROLLER elsewhere, as in Kafka's ZooKeeper mode).
  TopicAdmin(const BrokerConfig& config, const TopicConfigs& topic_configs, zk::KafkaZkClient& zk,
             const MetadataCache& metadata, EventLoop& loop, std::function<bool()> is_controller);
  ~TopicAdmin();

  using Done = std::function<void(std::vector<TopicResult>)>;
  // timeout_ms <= 0: answer once the znodes are written; else wait (polling the metadata cache every 50 ms)
  // until every partition has a leader, REQUEST_TIMED_OUT after timeout_ms (Kafka's DelayedCreatePartitions).
  void create_topics(std::vector<NewTopic> topics, bool validate_only, int32_t timeout_ms, Done done);
  // Marks /admin/delete_topics/<t>; waits until the metadata cache no longer has the topic.
  void delete_topics(std::vector<std::string> names, int32_t timeout_ms, Done done);
  // new_assignments: replica lists for the new partitions only (may be empty = automatic). setData of
  // /brokers/topics/<t>; waits until the new partitions have leaders.
  void create_partitions(const std::string& topic, int32_t new_count,
                         std::vector<std::vector<int32_t>> new_assignments, bool validate_only,
                         int32_t timeout_ms, std::function<void(TopicResult)> done);
  // The topic's overrides from /config/topics/<t> (empty when absent or unreadable).
  void fetch_topic_config(const std::string& topic,
                          std::function<void(std::map<std::string, std::string>)> done);
  // Metadata auto-creation (num.partitions, default.replication.factor); fire and forget.
  void auto_create_topic(const std::string& name);
  // __consumer_offsets on first FindCoordinator: offsets.topic.* settings, compacted; replication factor
  // min(offsets.topic.replication.factor, live brokers).
  void create_offsets_topic();

 private:
  struct Waiter {
    std::function<bool()> ready;
    int64_t deadline_ms;
    std::function<void(bool ready)> done;
  };
  Result<std::map<int32_t, std::vector<int32_t>>, TopicResult> plan_topic(const NewTopic& t) const;
  void write_new_topic(const std::string& name, std::map<int32_t, std::vector<int32_t>> assignment,
                       std::map<std::string, std::string> configs, std::function<void(TopicResult)> done);
  // Calls done(true) once ready() holds, done(false) after timeout_ms.
  void wait_until(std::function<bool()> ready, int32_t timeout_ms, std::function<void(bool)> done);
  void poll_waiters();
  bool has_leaders(const std::string& topic, int32_t partitions) const;
  std::vector<int32_t> live_broker_ids() const;

  const BrokerConfig& config_;
  const TopicConfigs& topic_configs_;
  zk::KafkaZkClient& zk_;
  const MetadataCache& metadata_;
  EventLoop& loop_;
  std::function<bool()> is_controller_;
  std::set<std::string> creating_;
  std::list<Waiter> waiters_;
  std::unique_ptr<Timer> poller_;
};

}  // namespace gregor::broker
