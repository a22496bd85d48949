// OutboundConnection: this broker's client socket to another broker (controller channel, replica fetcher):
// Kafka framing, pipelined requests at versions the caller picks, responses matched in order.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/result.h"
#include "protocol/writer.h"

namespace gregor::broker {

// Api version used for the Protobuf control-plane requests (LeaderAndIsr, StopReplica, UpdateMetadata,
// ControlledShutdown): request header v1, response header v0, body = serialized message
// (proto/controller.proto).
inline constexpr int16_t kControlApiVersion = 0;

// Inter-broker peers are gregor brokers of the same build, so there is no ApiVersions negotiation (Kafka's
// inter.broker.protocol.version plays that role). Any socket error, a response not arriving within the
// request timeout or a malformed frame fails the connection and every request on it; the owner then makes
// a new connection (after its own backoff). Handlers run on the loop, at most once each; destroying the
// connection drops pending handlers without calling them.
class OutboundConnection {
 public:
  using BodyEncoder = std::function<void(Writer&)>;
  // The response body (after the response header), or a one-line reason the request failed.
  using ResponseHandler = std::function<void(Result<std::span<const uint8_t>, std::string>)>;

  OutboundConnection(event_base* base, std::string host, int32_t port, std::string client_id,
                     std::chrono::milliseconds request_timeout);
  ~OutboundConnection();
  OutboundConnection(const OutboundConnection&) = delete;
  OutboundConnection& operator=(const OutboundConnection&) = delete;

  // Kafka API at a fixed version: header v1/v2 and response header v0/v1 follow the API's flexibility.
  void send(ApiKey key, int16_t version, const BodyEncoder& encode, ResponseHandler handler);
  // Control-plane request: header v1 at kControlApiVersion, body = serialized Protobuf bytes.
  void send_control(ApiKey key, const std::string& serialized, ResponseHandler handler);

  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }
  size_t in_flight() const { return pending_.size(); }
  const std::string& host() const { return host_; }
  int32_t port() const { return port_; }

 private:
  struct Pending {
    int32_t correlation_id;
    int16_t response_header_version;
    std::chrono::steady_clock::time_point deadline;
    ResponseHandler handler;
  };
  void connect();
  void write_frame(int32_t correlation_id, int16_t response_header_version, const Writer& frame,
                   ResponseHandler handler);
  void read_frames();
  void fail(const std::string& reason);
  static void on_read(bufferevent*, void* arg);
  static void on_event(bufferevent*, short events, void* arg);
  static void on_timer(evutil_socket_t, short, void* arg);

  event_base* base_;
  std::string host_;
  int32_t port_;
  std::string client_id_;
  std::chrono::milliseconds request_timeout_;
  bufferevent* bev_ = nullptr;
  event* timer_ = nullptr;
  std::deque<Pending> pending_;
  int32_t next_correlation_id_ = 1;
  bool failed_ = false;
  std::string failure_;
  // Lets callbacks notice that a handler destroyed this connection.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gregor::broker
