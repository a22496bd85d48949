// Server: evconnlistener per listener; connections live in a map until they close.
#include "broker/network/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>

#include "broker/logging.h"

namespace gregor::broker {
namespace {

std::string format_peer(const sockaddr* addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (addr->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

Server::Server(event_base* base, ConnectionLimits limits, Connection::FrameHandler on_frame)
    : base_(base), limits_(limits), on_frame_(std::move(on_frame)) {}

Server::~Server() {
  close_all();
  for (auto& l : listeners_) evconnlistener_free(l->listener);
}

Result<int32_t, std::string> Server::listen(const Listener& listener) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string port = std::to_string(listener.port);
  const char* host = listener.host.empty() ? nullptr : listener.host.c_str();
  if (int rc = getaddrinfo(host, port.c_str(), &hints, &res); rc != 0) {
    return unexpected("listener " + listener.name + ": cannot resolve '" + listener.host + "': " + gai_strerror(rc));
  }
  auto bound = std::make_unique<Bound>(Bound{this, listener.name, nullptr});
  bound->listener =
      evconnlistener_new_bind(base_, &Server::on_accept, bound.get(),
                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_DISABLED, 512, res->ai_addr,
                              static_cast<int>(res->ai_addrlen));
  freeaddrinfo(res);
  if (!bound->listener) {
    return unexpected("listener " + listener.name + ": cannot bind " + listener.host + ":" + port + ": " +
                      std::strerror(errno));
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(evconnlistener_get_fd(bound->listener), reinterpret_cast<sockaddr*>(&ss), &len);
  int32_t bound_port = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                                : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  listeners_.push_back(std::move(bound));
  return bound_port;
}

void Server::on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int, void* arg) {
  auto* bound = static_cast<Bound*>(arg);
  Server* self = bound->server;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  evutil_make_socket_nonblocking(fd);
  uint64_t id = self->next_id_++;
  auto conn = std::make_shared<Connection>(self->base_, fd, id, format_peer(addr), self->limits_, self->on_frame_,
                                           [self](uint64_t closed_id) { self->connections_.erase(closed_id); });
  conn->set_listener_name(bound->name);
  self->connections_[id] = conn;
  conn->start();
}

void Server::start_accepting() {
  for (auto& l : listeners_) evconnlistener_enable(l->listener);
}

void Server::close_all() {
  auto copy = connections_;
  for (auto& [id, c] : copy) c->close("broker shutting down");
  connections_.clear();
}

}  // namespace gregor::broker
