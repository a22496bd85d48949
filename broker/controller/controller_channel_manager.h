// ControllerChannelManager: one FIFO queue and one connection per live broker; control requests are sent one
// at a time, in order, and retried (reconnect after 100 ms) until the broker answers or is removed (internals
// §4.1).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "broker/event_loop.h"
#include "broker/network/outbound_connection.h"
#include "protocol/api_key.h"

namespace gregor::broker {

class ControllerChannelManager {
 public:
  // The response body (serialized Protobuf). Not called for requests dropped because the broker was removed.
  using ResponseHandler = std::function<void(std::span<const uint8_t>)>;

  ControllerChannelManager(EventLoop& loop, std::string client_id, std::chrono::milliseconds request_timeout,
                           std::chrono::milliseconds retry_backoff = std::chrono::milliseconds(100));
  ~ControllerChannelManager();
  ControllerChannelManager(const ControllerChannelManager&) = delete;
  ControllerChannelManager& operator=(const ControllerChannelManager&) = delete;

  // Starts a channel to `broker` at its control endpoint; replaces (drops the queue of) an existing one, as
  // Kafka does for a bounced broker.
  void add_broker(int32_t broker, std::string host, int32_t port);
  void remove_broker(int32_t broker);
  bool has_broker(int32_t broker) const { return channels_.count(broker) > 0; }
  // Queues a request; dropped (with a debug line) when there is no channel to `broker`.
  void send(int32_t broker, ApiKey key, std::string serialized, ResponseHandler on_response);
  // Drops every channel and queued request.
  void shutdown();
  size_t queued(int32_t broker) const;

 private:
  struct Item {
    ApiKey key;
    std::string payload;
    ResponseHandler on_response;
  };
  struct Channel {
    int32_t broker = -1;
    std::string host;
    int32_t port = 0;
    std::deque<Item> queue;
    std::unique_ptr<OutboundConnection> connection;
    std::unique_ptr<Timer> backoff;
    bool in_flight = false;
    int failures = 0;
  };
  void pump(Channel& c);
  void on_result(int32_t broker, uint64_t generation, Result<std::span<const uint8_t>, std::string> r);

  EventLoop& loop_;
  std::string client_id_;
  std::chrono::milliseconds request_timeout_;
  std::chrono::milliseconds retry_backoff_;
  std::map<int32_t, std::unique_ptr<Channel>> channels_;
  std::map<int32_t, uint64_t> generation_;  // bumped when a channel is replaced: stale responses are ignored
  uint64_t next_generation_ = 1;
};

}  // namespace gregor::broker
