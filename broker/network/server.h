// Server: accepts connections on each listener and owns them until they close.
#pragma once

#include <event2/listener.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/config.h"
#include "broker/network/connection.h"
#include "protocol/result.h"

namespace gregor::broker {

class Server {
 public:
  Server(event_base* base, ConnectionLimits limits, Connection::FrameHandler on_frame);
  ~Server();
  // Binds and listens; returns the bound port (useful when the configured port is 0). Connections wait in
  // the backlog until start_accepting(): like Kafka, requests are served only once start-up has finished.
  Result<int32_t, std::string> listen(const Listener& listener);
  void start_accepting();
  size_t connection_count() const { return connections_.size(); }
  void close_all();

 private:
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int len, void* arg);
  struct Bound {
    Server* server;
    std::string name;
    evconnlistener* listener;
  };
  event_base* base_;
  ConnectionLimits limits_;
  Connection::FrameHandler on_frame_;
  std::vector<std::unique_ptr<Bound>> listeners_;
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;
  uint64_t next_id_ = 1;
};

}  // namespace gregor::broker
