// Controller: Kafka's ZooKeeper-mode KafkaController — election through /controller, a single event queue
// processed on the loop, failover, broker/topic/partition changes, topic deletion, ISR change notifications,
// controlled shutdown and preferred-leader rebalancing (internals §3).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/config.h"
#include "broker/controller/controller_channel_manager.h"
#include "broker/controller/controller_context.h"
#include "broker/controller/controller_request_batch.h"
#include "broker/controller/election.h"
#include "broker/controller/partition_state_machine.h"
#include "broker/controller/replica_state_machine.h"
#include "broker/event_loop.h"
#include "controller.pb.h"
#include "zk/kafka_zk_client.h"

namespace gregor::broker {

// Every ZooKeeper watch callback, timer and API call only enqueues an event; events run one at a time, each
// to the completion of its asynchronous ZooKeeper calls, on the loop thread. So no controller state is ever
// touched by two operations at once, as with Kafka's controller-event-thread.
class Controller {
 public:
  Controller(const BrokerConfig& config, EventLoop& loop, zk::KafkaZkClient& zk);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Watches /controller and tries to become the controller (Kafka's Startup event).
  void startup();
  // Resigns if active and stops processing events.
  void shutdown();
  // ZooKeeper session expired: preempt queued events and resign (Kafka's Expire, processed before anything
  // else).
  void on_session_expired();
  // The broker re-registered on a new session: watch /controller again and re-elect.
  void on_session_reestablished();

  bool is_active() const { return active_; }
  int32_t epoch() const { return context_.epoch; }
  // The controller this broker knows of from /controller (-1 = none).
  int32_t active_controller_id() const { return active_controller_id_; }

  using ControlledShutdownCallback = std::function<void(proto::ControlledShutdownResponse)>;
  // ControlledShutdown request from a broker (NOT_CONTROLLER when not active, also when preempted).
  void controlled_shutdown(const proto::ControlledShutdownRequest& request, ControlledShutdownCallback done);

 private:
  using Done = std::function<void()>;
  struct Event {
    std::string name;
    std::function<void(Done)> process;
    std::function<void()> preempt;  // answers a waiting caller when the event is dropped
  };
  enum class Strategy { offline, preferred, controlled_shutdown };

  // Event queue.
  void put(Event e);
  void clear_and_put(Event e);
  void run_next();
  // A watcher that enqueues `event` unless the controller resigned since it was armed.
  zk::Watcher watcher(std::string name, std::function<void(Done)> process);

  // Election and resignation.
  void elect(Done done);
  void on_controller_failover(Done done);
  void resign(const std::string& why);
  void trigger_controller_move(const std::string& why, Done done);

  // Failover steps.
  void initialize_context(Done done);
  void load_topic(const std::string& topic, Done done);
  void load_partition_state(const log::TopicPartition& tp, Done done);
  void startup_state_machines(Done done);

  // Event handlers.
  void process_broker_change(Done done);
  // A watch-triggered read failed: its watch was not set again, so the event runs again after kRetryDelay
  // (Kafka's ZooKeeperClient blocks and retries until connected). True when it was scheduled.
  bool retry_after_zk_error(const std::string& name, std::function<void(Done)> process, zk::ZkError e);
  void process_topic_change(Done done);
  void process_partition_modifications(const std::string& topic, Done done);
  void process_topic_deletion(Done done);
  void process_isr_change_notification(Done done);
  void process_preferred_replica_election(Done done);
  void process_auto_rebalance(Done done);
  void process_controlled_shutdown(const proto::ControlledShutdownRequest& request,
                                   ControlledShutdownCallback cb, Done done);
  void process_stop_replica_response(int32_t broker, const proto::StopReplicaResponse& resp, Done done);

  // Kafka's controller operations.
  void on_broker_startup(const std::vector<int32_t>& brokers, Done done);
  void on_broker_failure(const std::vector<int32_t>& brokers, Done done);
  void on_new_partition_creation(const std::vector<log::TopicPartition>& partitions, Done done);
  void trigger_online_partition_state_change(Done done);
  // Elects leaders for `partitions` with `strategy`, writes the state znodes and batches LeaderAndIsr;
  // done(failed).
  void elect_leaders(const std::vector<log::TopicPartition>& partitions, Strategy strategy,
                     std::function<void(std::vector<log::TopicPartition> failed)> done);
  void elect_one(const log::TopicPartition& tp, Strategy strategy, bool allow_unclean, int attempts,
                 std::function<void(bool ok)> done);
  // Removes `broker` from the ISR of `partitions` (OfflineReplica), LeaderAndIsr to the remaining replicas.
  void remove_replica_from_isr(int32_t broker, const std::vector<log::TopicPartition>& partitions, Done done);
  void remove_one_from_isr(int32_t broker, const log::TopicPartition& tp, int attempts,
                           std::function<void()> done);
  // Conditional write of a partition state; bad_version re-reads the znode (done(false, reread) then), and
  // controller_moved resigns.
  void write_state(const log::TopicPartition& tp, const zk::PartitionState& next,
                   std::function<void(bool written, bool retry)> done);
  void resume_deletions(Done done);
  void start_topic_deletion(const std::string& topic);
  void complete_topic_deletion(const std::string& topic, Done done);
  void schedule_auto_rebalance(std::chrono::milliseconds delay);
  void send_batch();
  bool allow_unclean(const std::string& topic) const;
  void log_leader_change(const log::TopicPartition& tp, int32_t old_leader, const zk::PartitionState& s,
                         const char* why) const;

  const BrokerConfig& config_;
  EventLoop& loop_;
  zk::KafkaZkClient& zk_;
  int32_t broker_id_;
  std::string control_listener_;

  std::deque<Event> queue_;
  bool processing_ = false;
  bool stopped_ = false;
  uint64_t event_token_ = 0;        // identifies the running event; its Done is ignored once it changes
  uint64_t active_generation_ = 0;  // bumped on resignation: older watchers and timers do nothing

  bool active_ = false;
  int32_t active_controller_id_ = -1;
  ControllerContext context_;
  PartitionStateMachine partition_states_;
  ReplicaStateMachine replica_states_;
  std::map<std::string, std::map<std::string, std::string>>
      topic_configs_;  // overrides read at election time
  ControllerChannelManager channels_;
  ControllerBrokerRequestBatch batch_;
  std::unique_ptr<Timer> rebalance_timer_;
  std::unique_ptr<Timer> retry_timer_;
  std::map<std::string, std::unique_ptr<Timer>> event_retry_timers_;  // by event name: the newest wins
  uint64_t controller_watch_id_ = 0;                 // only the newest /controller watch acts
  std::set<log::TopicPartition> restarted_leaders_;  // leader re-registered after its state was written
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gregor::broker
