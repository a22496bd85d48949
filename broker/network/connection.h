// Connection: one client socket; reads size-prefixed frames, answers them strictly in arrival order.
#pragma once

#include <event2/event.h>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/event_loop.h"
#include "broker/network/response.h"

namespace gregor::broker {

class Connection;

// Completes one request's slot. Copyable; safe to call after the connection has closed (no-op).
class Responder {
 public:
  Responder() = default;
  Responder(std::weak_ptr<Connection> conn, uint64_t seq) : conn_(std::move(conn)), seq_(seq) {}
  void send(Response response) const;
  void send_nothing() const;                               // acks=0 produce: the slot completes with no bytes
  void close_connection(const std::string& reason) const;  // protocol violation: drop the client
  bool connection_alive() const { return !conn_.expired(); }

 private:
  std::weak_ptr<Connection> conn_;
  uint64_t seq_ = 0;
};

struct ConnectionLimits {
  int64_t max_frame_bytes = 104857600;  // socket.request.max.bytes
  int64_t idle_timeout_ms = 600000;     // connections.max.idle.ms
  size_t max_in_flight = 256;           // pipelined requests waiting for answers before reads pause
  size_t max_output_bytes = 64 << 20;   // unsent response bytes before reads pause
};

// The socket is driven with plain events rather than a bufferevent: libevent 2.1 reads at most 4 KiB per
// call (after an ioctl(FIONREAD)) and adds/removes the write event around every response, which cost 16
// system calls per 16 KiB produce request. Here one recv() takes up to 64 KiB (several pipelined requests;
// large frames are read straight into their own buffer), each answer is written (writev, sendfile for file
// regions) as soon as it is complete, and the write event is armed only while the send buffer is full.
// Answers are not held back to share one writev: a pipelining producer waits for the first acknowledgement
// before it sends more, and holding it cost 15% of W2's throughput.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // frame = the request bytes after the size prefix. The handler must complete the responder exactly once.
  using FrameHandler = std::function<void(Connection& conn, std::vector<uint8_t> frame, Responder responder)>;
  using CloseHandler = std::function<void(uint64_t id)>;

  // Takes ownership of fd (a connected, non-blocking socket).
  Connection(event_base* base, int fd, uint64_t id, std::string peer, ConnectionLimits limits,
             FrameHandler on_frame, CloseHandler on_close);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  void start();

  uint64_t id() const { return id_; }
  const std::string& peer() const { return peer_; }            // "127.0.0.1:54321"
  const std::string& peer_host() const { return peer_host_; }  // "127.0.0.1"
  const std::string& listener_name() const { return listener_; }
  void set_listener_name(std::string name) { listener_ = std::move(name); }

  void complete(uint64_t seq, std::optional<Response> response);
  void close(const std::string& reason);

 private:
  struct Slot {
    uint64_t seq;
    bool done = false;
    std::optional<Response> response;
  };
  // One answer being sent: parts are the size prefix, then bytes and file regions in turn (see part()).
  struct Outgoing {
    std::array<uint8_t, 4> prefix;
    Response response;
    size_t next_part = 0;
    size_t part_sent = 0;
  };
  struct Part {
    const uint8_t* data = nullptr;
    size_t length = 0;
    const FileRegion* region = nullptr;  // set for a non-empty file region (data unused)
  };
  static size_t part_count(const Outgoing& o) { return 2 + 2 * o.response.regions.size(); }
  static Part part(const Outgoing& o, size_t index);

  static void on_readable(evutil_socket_t, short, void* arg);
  static void on_writable(evutil_socket_t, short, void* arg);
  static void on_idle_check(evutil_socket_t, short, void* arg);
  void read_and_dispatch();
  void dispatch_buffered_frames();
  bool receive();  // one recv(); false when the socket has nothing more (or the connection closed)
  void flush_completed();
  void flush_output();
  bool send_some();  // one writev or sendfile; false when the socket is full (or the connection closed)
  void consume_sent(size_t bytes);
  void update_read_interest();
  void arm_idle_check(int64_t delay_ms);
  static int64_t monotonic_ms();

  event_base* base_;
  int fd_;
  uint64_t id_;
  std::string peer_, peer_host_, listener_;
  ConnectionLimits limits_;
  FrameHandler on_frame_;
  CloseHandler on_close_;
  EventPtr read_ev_, write_ev_, idle_ev_;
  // Staging buffer: bytes [in_begin_, in_end_) are received but not yet dispatched.
  std::unique_ptr<uint8_t[]> in_;
  size_t in_begin_ = 0, in_end_ = 0;
  // A frame too large for the staging buffer is received straight into its own buffer.
  std::vector<uint8_t> large_frame_;
  size_t large_filled_ = 0;
  bool reading_large_ = false;
  std::deque<Slot> slots_;
  std::deque<Outgoing> out_;
  size_t out_bytes_ = 0;  // queued and not yet sent
  uint64_t next_seq_ = 0;
  int64_t last_active_ms_ = 0;
  bool closed_ = false;
  bool reading_ = true;
  bool write_armed_ = false;
};

}  // namespace gregor::broker
