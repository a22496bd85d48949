// Broker: one gregor-broker process — start-up in Kafka's order, the event loop, clean shutdown.
#pragma once

#include <memory>
#include <string>

#include "broker/config.h"
#include "broker/control_plane_apis.h"
#include "broker/controller/controlled_shutdown_client.h"
#include "broker/controller/controller.h"
#include "broker/coordinator_bridge.h"
#include "broker/event_loop.h"
#include "broker/kafka_apis.h"
#include "broker/metadata_cache.h"
#include "broker/network/server.h"
#include "broker/peer_crash_detector.h"
#include "broker/producer_id_manager.h"
#include "broker/replica_manager.h"
#include "broker/topic_admin.h"
#include "broker/topic_config.h"
#include "coordinator/group_coordinator.h"
#include "log/log_manager.h"
#include "zk/kafka_zk_client.h"
#include "zk/session.h"

namespace gregor::broker {

class Broker {
 public:
  explicit Broker(BrokerConfig config);
  ~Broker();
  // Starts, serves until SIGTERM/SIGINT, shuts down cleanly. Returns the process exit code.
  int run();

 private:
  Result<void, std::string> startup();
  Result<void, std::string> connect_zookeeper();
  Result<void, std::string> wait_for(const std::string& what,
                                     const std::function<void(std::function<void()>)>& op);
  Result<void, std::string> load_logs();
  Result<void, std::string> open_listeners();
  zk::BrokerRegistration registration() const;
  void watch_own_registration();
  void close_previous_session();
  void register_again(bool elect);
  void elect_controller();
  void on_sigterm();
  void on_session_state(zk::SessionState state);
  void start_periodic_tasks();
  void start_group_coordinator();
  void shutdown();

  BrokerConfig config_;
  TopicConfigs topic_configs_;
  EventLoop loop_;
  MetadataCache metadata_;
  // Declared before the session: the session's last callbacks (closing) may still reach the controller.
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ControlledShutdownClient> controlled_shutdown_;
  std::unique_ptr<zk::Session> session_;
  std::unique_ptr<zk::KafkaZkClient> zk_;
  std::unique_ptr<log::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replicas_;
  std::unique_ptr<ControlPlaneApis> control_plane_;
  std::unique_ptr<TopicAdmin> admin_;
  std::unique_ptr<ProducerIdManager> producer_ids_;
  std::unique_ptr<CoordinatorBridge> coordinator_bridge_;
  std::unique_ptr<coordinator::GroupCoordinator> groups_;
  std::unique_ptr<KafkaApis> apis_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<PeerCrashDetector> crash_detector_;
  std::vector<Listener> advertised_;  // with bound ports filled in
  std::vector<std::unique_ptr<Timer>> timers_;
  EventPtr sigterm_, sigint_;
  int64_t broker_epoch_ = -1;
  bool started_ = false;
  bool stopping_ = false;
};

}  // namespace gregor::broker
