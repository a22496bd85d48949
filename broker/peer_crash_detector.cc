// PeerCrashDetector: idle connections to peers; closed + refused after a registration read = process gone.
#include "broker/peer_crash_detector.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "broker/logging.h"
#include "zk/paths.h"

namespace gregor::broker {

namespace {

constexpr std::chrono::milliseconds kReconcileInterval{1000};
constexpr timeval kConnectTimeout{3, 0};

auto log() { return logger("crash-detector"); }

}  // namespace

PeerCrashDetector::PeerCrashDetector(EventLoop& loop, zk::KafkaZkClient& zk, const MetadataCache& metadata,
                                     int32_t self_id, std::string listener_name)
    : loop_(loop),
      zk_(zk),
      metadata_(metadata),
      self_id_(self_id),
      listener_name_(std::move(listener_name)) {}

PeerCrashDetector::~PeerCrashDetector() { stop(); }

void PeerCrashDetector::start() {
  reconcile_timer_ = loop_.run_every(kReconcileInterval, [this] { reconcile(); });
  reconcile();
}

void PeerCrashDetector::stop() {
  *alive_ = false;
  reconcile_timer_.reset();
  for (auto& [id, p] : peers_) close_socket(*p);
  peers_.clear();
}

// One watch per live peer; peers the metadata no longer lists are dropped, idle ones are connected again.
void PeerCrashDetector::reconcile() {
  for (auto it = peers_.begin(); it != peers_.end();) {
    if (metadata_.is_alive(it->first)) {
      ++it;
    } else {
      close_socket(*it->second);
      it = peers_.erase(it);
    }
  }
  for (auto& [id, broker] : metadata_.brokers) {
    if (id == self_id_) continue;
    auto ep = broker.endpoints.find(listener_name_);
    if (ep == broker.endpoints.end()) continue;
    auto& slot = peers_[id];
    if (!slot) {
      slot = std::make_unique<Peer>();
      slot->id = id;
      slot->owner = this;
    }
    Peer& p = *slot;
    if (p.state == State::reading_registration || p.state == State::connecting) continue;
    bool same = p.host == ep->second.host && p.port == ep->second.port;
    if (p.state == State::watching && same) continue;
    if (same && loop_.now_ms() < p.retry_at_ms) continue;
    close_socket(p);
    if (!same) p.reached = false;
    p.host = ep->second.host;
    p.port = ep->second.port;
    p.registration.reset();
    connect(p);
  }
}

void PeerCrashDetector::close_socket(Peer& p) {
  p.ev.reset();
  if (p.fd >= 0) ::close(p.fd);
  p.fd = -1;
  p.state = State::idle;
}

void PeerCrashDetector::connect(Peer& p) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(p.port);
  if (int rc = getaddrinfo(p.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    log()->debug("broker {}: cannot resolve {}: {}", p.id, p.host, gai_strerror(rc));
    return back_off(p);
  }
  p.fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int rc = p.fd < 0 ? -1 : ::connect(p.fd, res->ai_addr, res->ai_addrlen);
  int error = rc == 0 ? 0 : errno;
  freeaddrinfo(res);
  if (p.fd < 0) {
    log()->warn("broker {}: socket() failed: {}", p.id, std::strerror(error));
    return;
  }
  if (rc == 0 || error != EINPROGRESS) return on_connected(p, error);
  p.state = State::connecting;
  p.ev.reset(event_new(loop_.base(), p.fd, EV_WRITE, &PeerCrashDetector::on_socket_event, &p));
  event_add(p.ev.get(), &kConnectTimeout);
}

// An unreachable peer is tried again after 1, 2, 4 ... 32 s: name resolution blocks the loop, and a peer that
// cannot be reached proves nothing anyway.
void PeerCrashDetector::back_off(Peer& p) {
  p.failures = std::min(p.failures + 1, 6);
  p.retry_at_ms = loop_.now_ms() + (int64_t{500} << p.failures);
}

void PeerCrashDetector::on_socket_event(evutil_socket_t fd, short what, void* arg) {
  auto& p = *static_cast<Peer*>(arg);
  if (p.state == State::watching) return p.owner->on_readable(p);
  if (what & EV_TIMEOUT) return p.owner->on_connected(p, ETIMEDOUT);
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
  p.owner->on_connected(p, error);
}

void PeerCrashDetector::on_connected(Peer& p, int error) {
  if (error == 0) {
    p.state = State::watching;
    p.reached = true;
    p.failures = 0;
    p.registration.reset();
    p.ev.reset(event_new(loop_.base(), p.fd, EV_READ | EV_PERSIST, &PeerCrashDetector::on_socket_event, &p));
    event_add(p.ev.get(), nullptr);
    return;
  }
  std::optional<zk::Stat> registration = p.registration;
  close_socket(p);
  if (error != ECONNREFUSED) {
    // Unreachable or slow is not proof of death (a partition, a full backlog): the session decides.
    log()->debug("broker {} at {}:{}: connect failed ({}); trying again later", p.id, p.host, p.port,
                 std::strerror(error));
    return back_off(p);
  }
  if (!p.reached) {
    log()->debug("broker {} at {}:{} refuses connections but was never reached: left to its session", p.id,
                 p.host, p.port);
    return back_off(p);
  }
  if (registration) return remove_session_nodes(p.id, *registration);
  on_lost(p, "refuses connections");
}

void PeerCrashDetector::on_readable(Peer& p) {
  char buf[256];
  ssize_t n = ::recv(p.fd, buf, sizeof buf, 0);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR))) return;  // brokers send nothing unasked
  on_lost(p, n == 0 ? "closed our connection" : std::string("reset our connection: ") + std::strerror(errno));
}

// The connection is gone: read the registration first, then probe its endpoint (see the header).
void PeerCrashDetector::on_lost(Peer& p, const std::string& why) {
  close_socket(p);
  log()->debug("broker {} at {}:{} {}: checking its registration and listener", p.id, p.host, p.port, why);
  p.state = State::reading_registration;
  read_registration(p.id);
}

void PeerCrashDetector::read_registration(int32_t id) {
  zk_.get_broker(id, [this, alive = alive_, id](zk::ZkError e, zk::BrokerRegistration reg, zk::Stat stat) {
    if (!*alive) return;
    auto it = peers_.find(id);
    // Dropped (and perhaps added again) by reconcile meanwhile: this answer is for an older round.
    if (it == peers_.end() || it->second->state != State::reading_registration) return;
    Peer& p = *it->second;
    p.state = State::idle;
    if (e == zk::ZkError::no_node) return back_off(p);  // already unregistered; the metadata drops it soon
    if (e != zk::ZkError::ok) {
      log()->warn("broker {}: cannot read its registration: {}", id, zk::to_string(e));
      return back_off(p);
    }
    for (auto& ep : reg.endpoints) {
      if (ep.listener_name != listener_name_) continue;
      if (p.host != ep.host || p.port != ep.port) p.reached = false;
      p.host = ep.host;
      p.port = ep.port;
      p.registration = stat;
      connect(p);
      return;
    }
  });
}

// Removes what the dead process's session still holds, as the session's expiry would: its registration and,
// if it was the controller, /controller. Conditional on the versions read, in one multi.
void PeerCrashDetector::remove_session_nodes(int32_t id, zk::Stat registration) {
  zk_.session().get(
      std::string(zk::paths::kController), {},
      [this, alive = alive_, id, registration](zk::ZkError e, std::string, zk::Stat controller) {
        if (!*alive) return;
        bool held = e == zk::ZkError::ok && controller.ephemeral_owner == registration.ephemeral_owner;
        std::vector<zk::Session::Op> ops{
            zk::Session::Op::remove(zk::paths::broker_id_path(id), registration.version)};
        if (held)
          ops.push_back(zk::Session::Op::remove(std::string(zk::paths::kController), controller.version));
        zk_.session().multi(std::move(ops), [id, held, registration](zk::ZkError e,
                                                                     std::vector<zk::ZkError>) {
          if (e == zk::ZkError::ok) {
            log()->warn(
                "broker {} closed its connections and its listener refuses new ones: its process is "
                "gone. Removed /brokers/ids/{}{} of its session 0x{:x} instead of waiting for "
                "the session to expire",
                id, id, held ? " and /controller" : "", registration.ephemeral_owner);
          } else {
            log()->info("broker {} looks gone; its znodes were not removed here: {}", id, zk::to_string(e));
          }
        });
      });
}

}  // namespace gregor::broker
