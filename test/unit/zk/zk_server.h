// Test fixture: a real ZooKeeper server (Debian zookeeper package) on a free loopback port in a temp dir.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>

#include "zk/types.h"
#include "zk/zk_error.h"

struct event_base;

namespace gregor::zk {
// Printable in test assertions.
inline std::ostream& operator<<(std::ostream& os, ZkError e) { return os << to_string(e); }
inline std::ostream& operator<<(std::ostream& os, SessionState s) { return os << to_string(s); }
inline std::ostream& operator<<(std::ostream& os, WatchEvent e) { return os << to_string(e); }
}  // namespace gregor::zk

namespace gregor::zk::test {

// Starts `zkServer.sh start-foreground` (tickTime 500, so 1 s..10 s session timeouts are allowed),
// waits until it answers ruok with imok, and kills it (by process group) on destruction.
class ZkServer {
 public:
  ZkServer();
  ~ZkServer();
  ZkServer(const ZkServer&) = delete;
  ZkServer& operator=(const ZkServer&) = delete;

  // Stop (SIGTERM, then SIGKILL) and start again on the same port and data dir: sessions survive.
  void stop();
  void start();

  int port() const { return port_; }
  std::string connect_string() const;  // "127.0.0.1:<port>"
  const std::string& dir() const { return dir_; }
  // Sends a four-letter word and returns the answer ("" on failure).
  std::string four_letter(const std::string& word) const;

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// One server for the whole test binary, started on first use.
ZkServer& shared_server();
void stop_shared_server();

// An event_base owned by the test, plus a bounded wait.
class Loop {
 public:
  Loop();
  ~Loop();
  event_base* base() const { return base_; }
  // Runs the loop until pred() or the timeout; returns pred().
  bool run_until(const std::function<bool()>& pred,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Runs the loop for a fixed span (for "nothing happens" checks).
  void run_for(std::chrono::milliseconds span);

 private:
  event_base* base_;
};

// Runs one asynchronous call to completion: `start(done)` must arrange for done to be called once.
// Fails the test (and throws) if it does not complete within 10 s.
template <class... Args>
std::tuple<Args...> wait(
    Loop& loop, const std::type_identity_t<std::function<void(std::function<void(Args...)>)>>& start) {
  std::optional<std::tuple<Args...>> out;
  start([&](Args... args) { out.emplace(std::move(args)...); });
  if (!loop.run_until([&] { return out.has_value(); }))
    throw std::runtime_error("asynchronous call did not complete");
  return std::move(*out);
}

// Unique chroot per test so tests sharing the server do not see each other's znodes.
std::string unique_chroot(const std::string& name);

}  // namespace gregor::zk::test
