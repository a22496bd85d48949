// Connection: one client socket; reads size-prefixed frames, answers them strictly in arrival order.
#pragma once

#include <event2/bufferevent.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/network/response.h"

namespace gregor::broker {

class Connection;

// Completes one request's slot. Copyable; safe to call after the connection has closed (no-op).
class Responder {
 public:
  Responder() = default;
  Responder(std::weak_ptr<Connection> conn, uint64_t seq) : conn_(std::move(conn)), seq_(seq) {}
  void send(Response response) const;
  void send_nothing() const;   // acks=0 produce: the slot completes with no bytes
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

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // frame = the request bytes after the size prefix. The handler must complete the responder exactly once.
  using FrameHandler = std::function<void(Connection& conn, std::vector<uint8_t> frame, Responder responder)>;
  using CloseHandler = std::function<void(uint64_t id)>;

  Connection(event_base* base, int fd, uint64_t id, std::string peer, ConnectionLimits limits, FrameHandler on_frame,
             CloseHandler on_close);
  ~Connection();
  void start();

  uint64_t id() const { return id_; }
  const std::string& peer() const { return peer_; }        // "127.0.0.1:54321"
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
  static void on_read(bufferevent* bev, void* arg);
  static void on_write(bufferevent* bev, void* arg);
  static void on_event(bufferevent* bev, short what, void* arg);
  void read_frames();
  void flush_completed();
  void write_response(Response& r);
  void update_read_interest();

  event_base* base_;
  bufferevent* bev_;
  uint64_t id_;
  std::string peer_, peer_host_, listener_;
  ConnectionLimits limits_;
  FrameHandler on_frame_;
  CloseHandler on_close_;
  std::deque<Slot> slots_;
  uint64_t next_seq_ = 0;
  bool closed_ = false;
  bool reading_ = true;
};

}  // namespace gregor::broker
