// KafkaZkClient: Kafka's operations on its znodes (KafkaZkClient.scala), asynchronous, callbacks on the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "zk/session.h"
#include "zk/znode_json.h"

namespace gregor::zk {

// Every operation runs against the Session bound when it starts and calls `done` exactly once, on the
// loop (also when the session closes: then with `closing`). The client must outlive its Session's
// pending calls: destroy (or close) the Session first.
//
// Controller fencing (§1.5): operations taking `epoch_zk_version` send one multi
// [check(/controller_epoch, epoch_zk_version), write...] when it is >= 0, and report controller_moved
// when the check fails (another controller has bumped the epoch since).
class KafkaZkClient {
 public:
  explicit KafkaZkClient(Session& session);

  // After session expiry the owner makes a new Session and rebinds this client to it. The client
  // remembers the sessions it registered the broker with, so register_broker can replace an ephemeral
  // one of them left behind (ZOOKEEPER-2985).
  void rebind(Session& session);
  Session& session() { return *session_; }

  // Persistent, empty: /consumers, /brokers/ids, /brokers/topics, /config/<type>, ... (§1.2).
  void create_top_level_paths(std::function<void(ZkError)> done);
  void get_or_create_cluster_id(std::function<void(ZkError, std::string cluster_id)> done);

  // Ephemeral /brokers/ids/<id>; broker epoch = czxid. NODEEXISTS: same session → reuse; a previous
  // session of ours → delete & recreate; another live session → node_exists (duplicate broker id).
  void register_broker(const BrokerRegistration& reg,
                       std::function<void(ZkError, int64_t broker_epoch)> done);

  // §3.1: if /controller exists, won=false and its id (won=true if it is ours from this very session).
  // Otherwise multi [create /controller (ephemeral), set /controller_epoch = epoch+1 at its version]
  // (creating /controller_epoch with "0" first if absent). The epoch and its zkVersion are those read
  // (lost) or written (won).
  void try_elect_controller(int32_t broker_id,
                            std::function<void(ZkError, bool won, int32_t controller_id,
                                               int32_t controller_epoch, int32_t epoch_zk_version)>
                                done);
  // Watches /controller (creation, change, deletion) and reports the current controller, if any.
  void watch_controller(Watcher w, std::function<void(ZkError, std::optional<int32_t> controller_id)> done);
  // Reads /controller_epoch (creating it with "0" if absent): epoch and zkVersion.
  void get_controller_epoch(std::function<void(ZkError, int32_t epoch, int32_t epoch_zk_version)> done);

  void get_broker_ids(Watcher w, std::function<void(ZkError, std::vector<int32_t>)> done);  // sorted
  void get_broker(int32_t id, std::function<void(ZkError, BrokerRegistration, Stat)> done);
  void get_topics(Watcher w, std::function<void(ZkError, std::vector<std::string>)> done);  // sorted
  void get_topic_assignment(const std::string& topic, Watcher w,
                            std::function<void(ZkError, TopicAssignment)> done);
  // no_node → ok + empty map.
  void get_topic_config(const std::string& topic,
                        std::function<void(ZkError, std::map<std::string, std::string>)> done);
  // Config node first (setData or create), then the assignment node; node_exists if the topic exists.
  void create_topic(const std::string& topic, const TopicAssignment& a,
                    const std::map<std::string, std::string>& config, std::function<void(ZkError)> done);
  void set_topic_assignment(const std::string& topic, const TopicAssignment& a, int32_t expected_version,
                            std::function<void(ZkError)> done);
  void set_topic_config(const std::string& topic, const std::map<std::string, std::string>& config,
                        std::function<void(ZkError)> done);

  // Creates .../partitions/<p> and .../state for every partition given; reports the first error.
  void create_partition_states(const std::string& topic, const std::map<int32_t, PartitionState>& states,
                               int32_t epoch_zk_version, std::function<void(ZkError)> done);
  void get_partition_state(const std::string& topic, int32_t partition, Watcher w,
                           std::function<void(ZkError, PartitionState, int32_t zk_version)> done);
  // Conditional setData on the state znode's version (bad_version: stale partition epoch), fenced by
  // /controller_epoch's version (controller_moved). Returns the new zkVersion (the partition epoch).
  void update_partition_state(const std::string& topic, int32_t partition, const PartitionState& s,
                              int32_t expected_zk_version, int32_t epoch_zk_version,
                              std::function<void(ZkError, int32_t new_zk_version)> done);

  // Creates /admin/delete_topics/<t>; node_exists if already marked.
  void mark_topic_for_deletion(const std::string& topic, std::function<void(ZkError)> done);
  void get_topics_marked_for_deletion(Watcher w, std::function<void(ZkError, std::vector<std::string>)> done);
  // One atomic multi removing /brokers/topics/<t> (recursively), /config/topics/<t> and
  // /admin/delete_topics/<t>, whichever exist. ok if none exists.
  void delete_topic(const std::string& topic, int32_t epoch_zk_version, std::function<void(ZkError)> done);

  // ---- controller reads and fenced deletions (KafkaController's watches, §3.2) ----
  // Children of /brokers/ids (watched with w) and each registration with its czxid (the broker epoch).
  // A child that vanishes between the two reads is left out.
  struct BrokerAndEpoch {
    BrokerRegistration registration;
    int64_t epoch = -1;
  };
  void get_all_brokers_and_epochs(Watcher w, std::function<void(ZkError, std::map<int32_t, BrokerAndEpoch>)> done);
  // The state znode with its Stat (version = partition epoch, mzxid = when it was last decided).
  void get_partition_state_stat(const std::string& topic, int32_t partition,
                                std::function<void(ZkError, PartitionState, Stat)> done);
  // Children of /isr_change_notification (sequence order), watched with w.
  void get_isr_change_notifications(Watcher w, std::function<void(ZkError, std::vector<std::string>)> done);
  // One notification's partitions (name = child name, e.g. isr_change_0000000001).
  void get_isr_change_notification(const std::string& name,
                                   std::function<void(ZkError, std::vector<std::pair<std::string, int32_t>>)> done);
  // Fenced removal of notification children; already-missing ones count as removed.
  void delete_isr_change_notifications(const std::vector<std::string>& names, int32_t epoch_zk_version,
                                       std::function<void(ZkError)> done);
  // Fenced removal of /admin/delete_topics/<t> (no_node counts as ok).
  void delete_topic_deletion_marker(const std::string& topic, int32_t epoch_zk_version,
                                    std::function<void(ZkError)> done);
  // Watches the existence of /admin/preferred_replica_election and reads it: nullopt when absent.
  void get_preferred_replica_election(
      Watcher w,
      std::function<void(ZkError, std::optional<std::vector<std::pair<std::string, int32_t>>>)> done);
  // Fenced removal of /admin/preferred_replica_election (no_node counts as ok).
  void delete_preferred_replica_election(int32_t epoch_zk_version, std::function<void(ZkError)> done);
  // Kafka's triggerControllerMove: removes /controller, fenced by our epoch's zkVersion.
  void delete_controller(int32_t epoch_zk_version, std::function<void(ZkError)> done);

  // CAS loop on /latest_producer_id_block; blocks of 1000 ids.
  void allocate_producer_id_block(int32_t broker_id, std::function<void(ZkError, ProducerIdBlock)> done);
  // Persistent sequential /isr_change_notification/isr_change_<seq> (pre-IBP-2.7 ISR propagation).
  void create_isr_change_notification(const std::vector<std::pair<std::string, int32_t>>& partitions,
                                      std::function<void(ZkError)> done);

 private:
  void register_attempt(Session& s, std::string path, std::string data, int attempts,
                        std::function<void(ZkError, int64_t)> done);
  void elect_attempt(Session& s, int32_t broker_id, int attempts,
                     std::function<void(ZkError, bool, int32_t, int32_t, int32_t)> done);
  void delete_topic_attempt(Session& s, std::string topic, int32_t epoch_zk_version, int attempts,
                            std::function<void(ZkError)> done);
  void allocate_attempt(Session& s, int32_t broker_id, int attempts,
                        std::function<void(ZkError, ProducerIdBlock)> done);
  void fenced_remove(const std::string& path, int32_t epoch_zk_version, std::function<void(ZkError)> done);
  void read_controller_epoch(Session& s, std::function<void(ZkError, int32_t, int32_t)> done);
  bool is_own_session(int64_t session_id) const;

  Session* session_;
  std::vector<int64_t> own_sessions_;
};

}  // namespace gregor::zk
