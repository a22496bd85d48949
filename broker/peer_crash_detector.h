// PeerCrashDetector: notices within milliseconds that another broker's process is gone (kill -9, crash, OOM
// kill) and removes the ephemeral znodes of its ZooKeeper session, instead of leaving them until the session
// expires (zookeeper.session.timeout.ms, 18 s by default, plus up to one ZooKeeper tick).
//
// Why: in Kafka's ZooKeeper mode the controller learns of a dead broker only when its session expires, so a
// crashed leader leaves its partitions unavailable for ~18-21 s. A dead process is visible much sooner: the
// kernel closes its sockets (our idle connection to it gets EOF) and its listener port refuses connections.
// gregor acts on exactly that pair of signals and nothing weaker; what follows is Kafka's own path (the
// controller's BrokerChange handling, or a controller election when the dead broker held /controller).
//
// How: one idle TCP connection to the inter-broker listener of every other live broker (MetadataCache). When
// one that was open closes (or a reconnect to an endpoint reached before is refused), the broker's
// registration is read from ZooKeeper (endpoint, session owner), then its listener is connected to again. A
// broker binds its listener before it registers, so "refused" after that read means the process owning that
// registration no longer listens: its /brokers/ids/<id> (and /controller, when that belongs to the same
// session) is removed in one multi. A hung or partitioned broker (no EOF, no refusal) still waits for its
// session, as in Kafka. Several brokers may race to remove the same nodes; the losers get no_node and stop.
// Off with gregor.crash.detection.enable=false.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "zk/kafka_zk_client.h"

namespace gregor::broker {

class PeerCrashDetector {
 public:
  PeerCrashDetector(EventLoop& loop, zk::KafkaZkClient& zk, const MetadataCache& metadata, int32_t self_id,
                    std::string listener_name);
  ~PeerCrashDetector();
  PeerCrashDetector(const PeerCrashDetector&) = delete;
  PeerCrashDetector& operator=(const PeerCrashDetector&) = delete;

  // Watches the peers listed in the metadata now and, every second, those added since.
  void start();
  void stop();
  // One watch per live peer (call when the metadata's broker list may have changed).
  void reconcile();

 private:
  enum class State { idle, connecting, watching, reading_registration };
  struct Peer {
    int32_t id = -1;
    std::string host;
    int32_t port = 0;
    State state = State::idle;
    int fd = -1;
    EventPtr ev;
    // The registration read just before the current connect: a refusal now means its owner is gone.
    std::optional<zk::Stat> registration;
    // A connection to host:port succeeded once. Refusals from an endpoint never reached prove nothing (an
    // advertised address this broker cannot reach, e.g. "localhost" in another container): left to the
    // session.
    bool reached = false;
    int failures = 0;  // consecutive failed attempts; the next waits until retry_at_ms
    int64_t retry_at_ms = 0;
    PeerCrashDetector* owner = nullptr;
    Peer() = default;
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;
    ~Peer() {  // the socket goes with the peer (close_socket also runs it earlier)
      ev.reset();
      if (fd >= 0) ::close(fd);
    }
  };

  void connect(Peer& p);
  void close_socket(Peer& p);
  void back_off(Peer& p);
  static void on_socket_event(evutil_socket_t fd, short what, void* arg);
  void on_connected(Peer& p, int error);
  void on_readable(Peer& p);
  void on_lost(Peer& p, const std::string& why);
  void read_registration(int32_t id);
  void remove_session_nodes(int32_t id, zk::Stat registration);

  EventLoop& loop_;
  zk::KafkaZkClient& zk_;
  const MetadataCache& metadata_;
  int32_t self_id_;
  std::string listener_name_;
  std::map<int32_t, std::unique_ptr<Peer>> peers_;
  std::unique_ptr<Timer> reconcile_timer_;
  // Callbacks from ZooKeeper may arrive after stop(): they check this first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gregor::broker
