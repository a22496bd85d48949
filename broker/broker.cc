// Broker start-up (KafkaServer.startup order), ZooKeeper session handling, periodic tasks and clean shutdown.
#include "broker/broker.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "broker/logging.h"
#include "broker/previous_session.h"
#include "zk/paths.h"

namespace gregor::broker {

Broker::Broker(BrokerConfig config) : config_(std::move(config)), topic_configs_(config_) {}

Broker::~Broker() = default;

int Broker::run() {
  auto started = startup();
  if (!started) {
    logger("broker")->critical("start-up failed: {}", started.error());
    if (logs_)
      logs_->shutdown([this](const log::TopicPartition& tp) {
        return replicas_ ? replicas_->high_watermark_of(tp) : -1;
      });
    return 1;
  }
  started_ = true;
  loop_.run();
  shutdown();
  return 0;
}

Result<void, std::string> Broker::wait_for(const std::string& what,
                                           const std::function<void(std::function<void()>)>& op) {
  bool done = false;
  op([&done] { done = true; });
  auto timeout = std::chrono::milliseconds(config_.zookeeper_session_timeout_ms);
  if (!zk::run_until(
          loop_.base(), [&] { return done; }, timeout)) {
    return unexpected("timed out after " + std::to_string(timeout.count()) + " ms waiting for " + what);
  }
  return {};
}

Result<void, std::string> Broker::connect_zookeeper() {
  session_ = std::make_unique<zk::Session>(loop_.base(), config_.zookeeper_connect,
                                           config_.zookeeper_session_timeout_ms,
                                           [this](zk::SessionState s) { on_session_state(s); });
  auto timeout = std::chrono::milliseconds(config_.zookeeper_connection_timeout_ms);
  bool connected = zk::run_until(
      loop_.base(), [this] { return session_->state() == zk::SessionState::connected; }, timeout);
  if (!connected) {
    return unexpected("timed out waiting for a connection to ZooKeeper at " + config_.zookeeper_connect +
                      " after " + std::to_string(timeout.count()) + " ms (zookeeper.connection.timeout.ms)");
  }
  if (!zk_) {
    zk_ = std::make_unique<zk::KafkaZkClient>(*session_);
  } else {
    zk_->rebind(*session_);
  }
  return {};
}

Result<void, std::string> Broker::load_logs() {
  // Topic overrides decide each log's settings, so read them from ZooKeeper before loading.
  std::map<std::string, std::map<std::string, std::string>> overrides;
  auto r = wait_for("topic configs", [&](auto done) {
    zk_->get_topics({}, [&, done](zk::ZkError, std::vector<std::string> topics) {
      auto left = std::make_shared<size_t>(topics.size());
      if (topics.empty()) return done();
      for (auto& t : topics) {
        zk_->get_topic_config(t, [&, t, left, done](zk::ZkError, std::map<std::string, std::string> c) {
          overrides[t] = std::move(c);
          if (--*left == 0) done();
        });
      }
    });
  });
  if (!r) return r;
  std::vector<std::filesystem::path> dirs(config_.log_dirs.begin(), config_.log_dirs.end());
  for (auto& d : dirs) {
    std::error_code ec;
    std::filesystem::create_directories(d, ec);
    if (ec) return unexpected("cannot create log dir " + d.string() + ": " + ec.message());
  }
  logs_ = std::make_unique<log::LogManager>(dirs, topic_configs_.resolve({}).log,
                                            [this](std::function<void()> fn) { loop_.post(std::move(fn)); });
  if (auto meta = logs_->check_or_write_meta_properties(config_.broker_id, metadata_.cluster_id); !meta) {
    return unexpected(meta.error());
  }
  return logs_->startup([&](const std::string& topic) {
    // Between two partitions, let the ZooKeeper client answer pings: recovering many logs can take longer
    // than the session timeout, and Kafka's ZooKeeper client has its own thread where ours shares the loop.
    event_base_loop(loop_.base(), EVLOOP_NONBLOCK);
    return topic_configs_.resolve(overrides[topic]).log;
  });
}

Result<void, std::string> Broker::open_listeners() {
  ConnectionLimits limits;
  limits.max_frame_bytes = config_.socket_request_max_bytes;
  limits.idle_timeout_ms = config_.connections_max_idle_ms;
  server_ = std::make_unique<Server>(loop_.base(), limits,
                                     [this](Connection& c, std::vector<uint8_t> frame, Responder r) {
                                       apis_->handle_frame(c, std::move(frame), std::move(r));
                                     });
  advertised_ = config_.advertised_listeners;
  for (auto& l : config_.listeners) {
    auto port = server_->listen(l);
    if (!port) return unexpected(port.error());
    logger("broker")->info("listening on {}://{}:{}", l.name, l.host.empty() ? "0.0.0.0" : l.host, *port);
    for (auto& a : advertised_) {
      if (a.name == l.name && a.port == 0) a.port = *port;
      if (a.name == l.name && a.host.empty()) {
        char host[256] = "localhost";
        gethostname(host, sizeof host);
        a.host = host;
      }
    }
  }
  return {};
}

// Runs while this process holds the log dir lock, so the process that wrote the file is gone: its session may
// end now rather than at its expiry (broker/previous_session.h).
void Broker::close_previous_session() {
  const auto& dir = config_.log_dirs.front();
  auto previous = previous_session::recall(dir);
  if (!previous) return;
  zk::Session old(
      loop_.base(), config_.zookeeper_connect, config_.zookeeper_session_timeout_ms, [](zk::SessionState) {},
      previous);
  zk::run_until(
      loop_.base(), [&] { return old.state() != zk::SessionState::connecting; },
      std::chrono::milliseconds(config_.zookeeper_connection_timeout_ms));
  if (old.state() == zk::SessionState::connected) {
    old.close();
    logger("broker")->info(
        "closed ZooKeeper session 0x{:x} left open by this broker's previous process (killed?): its "
        "registration is gone without waiting for the session to expire",
        previous->session_id);
  } else {
    logger("broker")->debug("previous session 0x{:x}: {}", previous->session_id, zk::to_string(old.state()));
  }
  previous_session::forget(dir);
}

zk::BrokerRegistration Broker::registration() const {
  zk::BrokerRegistration reg;
  reg.id = config_.broker_id;
  for (auto& a : advertised_) reg.endpoints.push_back({a.name, a.host, a.port});
  for (auto& l : config_.listeners)
    reg.security_protocol_map[l.name] = config_.listener_security_protocol_map.at(l.name);
  reg.rack = config_.rack;
  reg.timestamp_ms = loop_.now_ms();
  return reg;
}

Result<void, std::string> Broker::startup() {
  if (config_.broker_id < 0) {
    return unexpected(
        std::string("broker.id must be set to a non-negative id (id generation is not supported)"));
  }
  for (auto& k : config_.unknown_keys()) logger("broker")->warn("unknown configuration key '{}' ignored", k);
  logger("broker")->info("starting broker {} (zookeeper.connect={})", config_.broker_id,
                         config_.zookeeper_connect);
  if (auto r = connect_zookeeper(); !r) return r;
  zk::ZkError err = zk::ZkError::ok;
  auto r = wait_for("ZooKeeper top-level paths", [&](auto done) {
    zk_->create_top_level_paths([&, done](zk::ZkError e) {
      err = e;
      done();
    });
  });
  if (!r) return r;
  if (err != zk::ZkError::ok)
    return unexpected("cannot create ZooKeeper paths: " + std::string(zk::to_string(err)));
  r = wait_for("/cluster/id", [&](auto done) {
    zk_->get_or_create_cluster_id([&, done](zk::ZkError e, std::string id) {
      err = e;
      metadata_.cluster_id = id;
      done();
    });
  });
  if (!r) return r;
  if (err != zk::ZkError::ok)
    return unexpected("cannot read /cluster/id: " + std::string(zk::to_string(err)));

  if (auto l = load_logs(); !l) return l;
  close_previous_session();
  replicas_ = std::make_unique<ReplicaManager>(loop_, *logs_, config_, *zk_, metadata_, topic_configs_);
  replicas_->startup();
  admin_ = std::make_unique<TopicAdmin>(config_, topic_configs_, *zk_, metadata_, loop_,
                                        [this] { return controller_ && controller_->is_active(); });
  producer_ids_ = std::make_unique<ProducerIdManager>(*zk_, config_.broker_id);
  apis_ = std::make_unique<KafkaApis>(config_, loop_, metadata_, *replicas_, *admin_, *producer_ids_,
                                      topic_configs_);
  control_plane_ =
      std::make_unique<ControlPlaneApis>(*replicas_, metadata_, [this] { return broker_epoch_; });
  apis_->set_control_handler(
      [this](Request& req, std::span<const uint8_t> body) { control_plane_->handle(req, body); });
  controller_ = std::make_unique<Controller>(config_, loop_, *zk_);
  control_plane_->set_controlled_shutdown_handler(
      [this](const proto::ControlledShutdownRequest& r,
             std::function<void(proto::ControlledShutdownResponse)> done) {
        controller_->controlled_shutdown(r, std::move(done));
      });
  start_group_coordinator();
  if (auto l = open_listeners(); !l) return l;

  // After a kill -9 the previous process's ephemeral registration lives until its session times out.
  // Kafka fails start-up here; gregor waits (bounded by the session timeout) so a quick restart just works.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(config_.zookeeper_session_timeout_ms * 3 / 2);
  std::string reg_error;
  for (bool waited = false;; waited = true) {
    zk::ZkError reg = zk::ZkError::ok;
    r = wait_for("broker registration", [&](auto done) {
      zk_->register_broker(registration(), [&, done](zk::ZkError e, int64_t epoch) {
        reg = e;
        broker_epoch_ = epoch;
        done();
      });
    });
    if (!r) return r;
    if (reg == zk::ZkError::ok) break;
    bool transient = reg == zk::ZkError::connection_loss || reg == zk::ZkError::operation_timeout;
    if (reg != zk::ZkError::node_exists && !transient) {
      return unexpected("cannot register /brokers/ids/" + std::to_string(config_.broker_id) + ": " +
                        std::string(zk::to_string(reg)));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return unexpected("broker.id " + std::to_string(config_.broker_id) +
                        " is registered by another live broker (/brokers/ids/" +
                        std::to_string(config_.broker_id) +
                        " did not expire within 1.5 x zookeeper.session.timeout.ms)");
    }
    if (transient) {
      logger("broker")->warn("registering /brokers/ids/{}: {}; retrying", config_.broker_id,
                             zk::to_string(reg));
    } else if (!waited) {
      logger("broker")->warn(
          "/brokers/ids/{} is held by another session (a previous run of this broker?): "
          "waiting up to {} ms for it to expire",
          config_.broker_id, config_.zookeeper_session_timeout_ms * 3 / 2);
    }
    bool tick = false;
    auto t = loop_.run_after(std::chrono::milliseconds(250), [&] { tick = true; });
    zk::run_until(
        loop_.base(), [&] { return tick; }, std::chrono::milliseconds(1000));
  }
  logger("broker")->info("registered /brokers/ids/{} (broker epoch {})", config_.broker_id, broker_epoch_);
  previous_session::remember(config_.log_dirs.front(), session_->credentials());
  // The broker list (this broker included) comes from the controller's UpdateMetadata, as in Kafka: a broker
  // whose Metadata lists itself has heard from the controller (for a lone broker: after its LeaderAndIsr).

  start_periodic_tasks();
  sigterm_.reset(evsignal_new(
      loop_.base(), SIGTERM,
      [](evutil_socket_t, short, void* arg) { static_cast<Broker*>(arg)->on_sigterm(); }, this));
  sigint_.reset(evsignal_new(
      loop_.base(), SIGINT,
      [](evutil_socket_t, short, void* arg) { static_cast<Broker*>(arg)->loop_.stop(); }, this));
  event_add(sigterm_.get(), nullptr);
  event_add(sigint_.get(), nullptr);
  server_->start_accepting();
  // Listeners accept and ControlPlaneApis is wired: the controller may now send its first requests (also to
  // us). The broker learns its partitions only from LeaderAndIsr.
  controller_->startup();
  watch_own_registration();
  if (config_.crash_detection_enable) {
    crash_detector_ = std::make_unique<PeerCrashDetector>(loop_, *zk_, metadata_, config_.broker_id,
                                                          config_.inter_broker_listener_name);
    crash_detector_->start();
    control_plane_->set_metadata_listener([this] { crash_detector_->reconcile(); });
  }
  logger("broker")->info("broker {} started: cluster id {}, {} partitions hosted", config_.broker_id,
                         metadata_.cluster_id, replicas_->partitions().size());
  return {};
}

void Broker::start_group_coordinator() {
  coordinator::GroupConfig gc;
  gc.offsets_topic_num_partitions = config_.offsets_topic_num_partitions;
  gc.group_min_session_timeout_ms = config_.group_min_session_timeout_ms;
  gc.group_max_session_timeout_ms = config_.group_max_session_timeout_ms;
  gc.group_initial_rebalance_delay_ms = config_.group_initial_rebalance_delay_ms;
  gc.group_max_size = config_.group_max_size;
  gc.offsets_retention_ms = config_.offsets_retention_minutes * 60 * 1000;
  gc.offset_metadata_max_bytes = config_.offset_metadata_max_bytes;
  coordinator_bridge_ = std::make_unique<CoordinatorBridge>(loop_, *replicas_);
  groups_ = std::make_unique<coordinator::GroupCoordinator>(gc, *coordinator_bridge_, *coordinator_bridge_);
  coordinator_bridge_->attach(*groups_);
  replicas_->set_leadership_listener(
      [this](const log::TopicPartition& tp, bool leader) { coordinator_bridge_->on_leadership(tp, leader); });
  apis_->set_group_coordinator(*groups_);
}

void Broker::start_periodic_tasks() {
  auto hw_of = [this](const log::TopicPartition& tp) { return replicas_->high_watermark_of(tp); };
  timers_.push_back(
      loop_.run_every(std::chrono::milliseconds(config_.replica_high_watermark_checkpoint_interval_ms),
                      [this, hw_of] { logs_->checkpoint_high_watermarks(hw_of); }));
  if (config_.log_flush_offset_checkpoint_interval_ms > 0) {
    timers_.push_back(
        loop_.run_every(std::chrono::milliseconds(config_.log_flush_offset_checkpoint_interval_ms),
                        [this] { logs_->checkpoint_recovery_points(); }));
  }
  timers_.push_back(loop_.run_every(std::chrono::milliseconds(config_.log_retention_check_interval_ms),
                                    [this, hw_of] { logs_->run_retention(loop_.now_ms(), hw_of); }));
  timers_.push_back(
      loop_.run_every(std::chrono::milliseconds(1000), [this] { logs_->flush_dirty_logs(loop_.now_ms()); }));
  // Compaction of cleanup.policy=compact logs (__consumer_offsets among them) runs off the loop thread.
  timers_.push_back(
      loop_.run_every(std::chrono::milliseconds(std::max<int64_t>(config_.log_cleaner_backoff_ms, 100)),
                      [this, hw_of] { logs_->run_cleaner(loop_.now_ms(), hw_of); }));
}

void Broker::on_session_state(zk::SessionState state) {
  if (!started_ || stopping_) return;
  if (state == zk::SessionState::connecting) {
    logger("zk")->warn("lost the ZooKeeper connection; reconnecting (session may still be alive)");
  } else if (state == zk::SessionState::expired) {
    logger("zk")->warn("ZooKeeper session expired: re-creating the session and re-registering broker {}",
                       config_.broker_id);
    // The controller resigns first (Kafka's Expire event), then the dead session is replaced from a fresh
    // loop turn (we are inside its callback); re-registration and re-election follow on `connected`.
    if (controller_) controller_->on_session_expired();
    loop_.post([this] {
      session_ = std::make_unique<zk::Session>(loop_.base(), config_.zookeeper_connect,
                                               config_.zookeeper_session_timeout_ms,
                                               [this](zk::SessionState s) { on_session_state(s); });
      zk_->rebind(*session_);
    });
  } else if (state == zk::SessionState::connected && broker_epoch_ >= 0) {
    register_again(true);
  }
}

// After a new session (elect = true: then also the controller election) or a lost registration.
void Broker::register_again(bool elect) {
  zk_->register_broker(registration(), [this, elect](zk::ZkError e, int64_t epoch) {
    if (stopping_) return;
    if (e != zk::ZkError::ok) {
      logger("zk")->error("re-registration of broker {} failed: {}", config_.broker_id, zk::to_string(e));
      return;
    }
    if (epoch != broker_epoch_) {
      logger("broker")->info("re-registered /brokers/ids/{} (broker epoch {})", config_.broker_id, epoch);
    }
    broker_epoch_ = epoch;
    previous_session::remember(config_.log_dirs.front(), session_->credentials());
    watch_own_registration();
    if (elect) elect_controller();
  });
}

// Only a peer's crash detector removes another session's registration, and only after that broker's listener
// refused a connection; should a live broker still lose it (a restart racing the removal), it registers again
// and the controller sees a bounce.
void Broker::watch_own_registration() {
  auto watcher = [this](zk::WatchEvent ev, const std::string&) {
    if (stopping_) return;
    if (ev != zk::WatchEvent::deleted) return watch_own_registration();
    logger("broker")->warn("/brokers/ids/{} was removed while our session is alive: registering again",
                           config_.broker_id);
    register_again(false);
  };
  zk_->session().exists(zk::paths::broker_id_path(config_.broker_id), watcher, [](zk::ZkError, zk::Stat) {});
}

void Broker::elect_controller() {
  if (controller_) controller_->on_session_reestablished();
}

// SIGTERM: controlled shutdown first (leaderships move away while we still serve), then the clean shutdown.
// A second signal, or a broker alone in the cluster (nowhere to move leaders to), stops at once.
void Broker::on_sigterm() {
  if (controlled_shutdown_ || !config_.controlled_shutdown_enable) return loop_.stop();
  bool others = std::any_of(metadata_.brokers.begin(), metadata_.brokers.end(),
                            [this](const auto& kv) { return kv.first != config_.broker_id; });
  if (!others) {
    logger("broker")->info("no other live broker: skipping controlled shutdown");
    return loop_.stop();
  }
  std::string listener = config_.control_plane_listener_name.value_or(config_.inter_broker_listener_name);
  controlled_shutdown_ = std::make_unique<ControlledShutdownClient>(
      loop_, config_,
      [this, listener]() -> std::optional<ControlledShutdownClient::Target> {
        int32_t id = controller_ ? controller_->active_controller_id() : -1;
        auto b = metadata_.brokers.find(id);
        if (b == metadata_.brokers.end()) return std::nullopt;
        auto ep = b->second.endpoints.find(listener);
        if (ep == b->second.endpoints.end()) return std::nullopt;
        return ControlledShutdownClient::Target{id, ep->second.host, ep->second.port};
      },
      [this] { return broker_epoch_; });
  controlled_shutdown_->run([this](bool) { loop_.stop(); });
}

void Broker::shutdown() {
  stopping_ = true;
  logger("broker")->info("shutting down broker {}", config_.broker_id);
  timers_.clear();
  if (control_plane_) control_plane_->set_metadata_listener({});
  crash_detector_.reset();
  controlled_shutdown_.reset();
  if (controller_) controller_->shutdown();
  if (server_) server_->close_all();
  if (replicas_) replicas_->shutdown();
  if (logs_)
    logs_->shutdown([this](const log::TopicPartition& tp) { return replicas_->high_watermark_of(tp); });
  // Closing the session removes /brokers/ids/<id> and, if held, /controller at once.
  session_.reset();
  if (!config_.log_dirs.empty()) previous_session::forget(config_.log_dirs.front());
  logger("broker")->info("broker {} shut down cleanly", config_.broker_id);
}

}  // namespace gregor::broker
