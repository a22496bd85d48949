// ControllerChannelManager against a real TCP peer: strict one-at-a-time ordering, retry after a dropped
// connection until answered, and requests dropped when the broker is removed.
#ifndef BOOST_TEST_DYN_LINK
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/controller/controller_channel_manager.h"
#include "zk/session.h"

using namespace gregor::broker;
using namespace std::chrono_literals;

namespace {

bool read_exact(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// A control-plane peer on a loopback port: answers each request (header v1) with response header v0 and the
// request body echoed, after a short delay, on one thread. It notes a pipelining violation when a second
// request is already readable before the first is answered, and can drop the first `drops` connections on
// their first request.
class Peer {
 public:
  explicit Peer(int drops = 0) : drops_(drops) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    BOOST_REQUIRE(::listen(listen_fd_, 8) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~Peer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> g(mu_);
    return bodies_;
  }
  bool pipelined() const { return pipelined_; }
  int connections() const { return connections_; }

 private:
  void serve() {
    while (!stop_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++connections_;
      bool drop = drops_-- > 0;
      handle(fd, drop);
      ::close(fd);
    }
  }
  void handle(int fd, bool drop) {
    for (;;) {
      uint8_t size_buf[4];
      if (!read_exact(fd, size_buf, 4)) return;
      std::vector<uint8_t> frame(be32(size_buf));
      if (!read_exact(fd, frame.data(), frame.size())) return;
      if (drop) return;  // connection closed without an answer
      // api key, version, correlation id, client id (int16 length + bytes), then the body.
      uint32_t correlation = be32(frame.data() + 4);
      size_t client_len = (size_t(frame[8]) << 8) | frame[9];
      std::string body(frame.begin() + 10 + static_cast<long>(client_len), frame.end());
      {
        std::lock_guard<std::mutex> g(mu_);
        bodies_.push_back(body);
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 30) > 0) pipelined_ = true;  // the next request came before our answer
      std::vector<uint8_t> out(8 + body.size());
      uint32_t size = static_cast<uint32_t>(4 + body.size());
      for (int i = 0; i < 4; ++i) out[i] = uint8_t(size >> (24 - 8 * i));
      for (int i = 0; i < 4; ++i) out[4 + i] = uint8_t(correlation >> (24 - 8 * i));
      std::copy(body.begin(), body.end(), out.begin() + 8);
      if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> drops_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> pipelined_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

bool run_until(EventLoop& loop, const std::function<bool()>& pred) {
  return gregor::zk::run_until(loop.base(), pred, 10s);
}

}  // namespace

BOOST_AUTO_TEST_CASE(requests_go_one_at_a_time_in_order) {
  Peer peer;
  EventLoop loop;
  ControllerChannelManager channels(loop, "test", 5000ms);
  channels.add_broker(7, "127.0.0.1", peer.port());
  std::vector<std::string> answered;
  for (int i = 0; i < 6; ++i) {
    channels.send(7, gregor::ApiKey::UpdateMetadata, "request-" + std::to_string(i),
                  [&](std::span<const uint8_t> body) { answered.emplace_back(body.begin(), body.end()); });
  }
  BOOST_TEST(channels.queued(7) == 6u);
  BOOST_REQUIRE(run_until(loop, [&] { return answered.size() == 6; }));
  for (int i = 0; i < 6; ++i) BOOST_TEST(answered[i] == "request-" + std::to_string(i));
  BOOST_TEST(peer.bodies() == answered);
  BOOST_TEST(!peer.pipelined());
  BOOST_TEST(channels.queued(7) == 0u);
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_retried_until_answered) {
  Peer peer(2);  // the first two connections close on the first request
  EventLoop loop;
  ControllerChannelManager channels(loop, "test", 5000ms, 20ms);
  channels.add_broker(1, "127.0.0.1", peer.port());
  std::vector<std::string> answered;
  channels.send(1, gregor::ApiKey::LeaderAndIsr, "a",
                [&](auto body) { answered.emplace_back(body.begin(), body.end()); });
  channels.send(1, gregor::ApiKey::UpdateMetadata, "b",
                [&](auto body) { answered.emplace_back(body.begin(), body.end()); });
  BOOST_REQUIRE(run_until(loop, [&] { return answered.size() == 2; }));
  BOOST_TEST(answered == std::vector<std::string>({"a", "b"}));
  BOOST_TEST(peer.connections() == 3);
  gregor::zk::run_until(
      loop.base(), [] { return false; }, 100ms);
  BOOST_TEST(answered.size() == 2u);  // each handler exactly once
}

BOOST_AUTO_TEST_CASE(requests_to_removed_or_unknown_brokers_are_dropped) {
  EventLoop loop;
  ControllerChannelManager channels(loop, "test", 5000ms, 20ms);
  bool called = false;
  channels.send(3, gregor::ApiKey::StopReplica, "x", [&](auto) { called = true; });
  BOOST_TEST(channels.queued(3) == 0u);
  // Nothing listens on this port: the request stays queued (retried) until the broker is removed.
  channels.add_broker(3, "127.0.0.1", 1);  // port 1: connection refused
  channels.send(3, gregor::ApiKey::StopReplica, "y", [&](auto) { called = true; });
  gregor::zk::run_until(
      loop.base(), [] { return false; }, 200ms);
  BOOST_TEST(channels.queued(3) == 1u);
  channels.remove_broker(3);
  BOOST_TEST(!channels.has_broker(3));
  gregor::zk::run_until(
      loop.base(), [] { return false; }, 100ms);
  BOOST_TEST(!called);
}
