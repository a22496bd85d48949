// OutboundConnection: connect, frame requests, match responses in order, fail everything on the first error.
#include "broker/network/outbound_connection.h"

#include <event2/buffer.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "protocol/api_versions_table.h"
#include "protocol/endian.h"
#include "protocol/reader.h"
#include "protocol/request_header.h"

namespace gregor::broker {

namespace {
constexpr uint32_t kMaxFrameSize = 104857600;  // socket.request.max.bytes: larger means we lost sync
}

OutboundConnection::OutboundConnection(event_base* base, std::string host, int32_t port,
                                       std::string client_id, std::chrono::milliseconds request_timeout)
    : base_(base),
      host_(std::move(host)),
      port_(port),
      client_id_(std::move(client_id)),
      request_timeout_(request_timeout) {
  connect();
}

OutboundConnection::~OutboundConnection() {
  *alive_ = false;
  if (timer_ != nullptr) event_free(timer_);
  if (bev_ != nullptr) bufferevent_free(bev_);
}

void OutboundConnection::connect() {
  // Numeric addresses resolve without blocking; names resolve once per connection (a handful of peers).
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(port_);
  if (int rc = getaddrinfo(host_.c_str(), port.c_str(), &hints, &res); rc != 0) {
    failed_ = true;
    failure_ = "cannot resolve " + host_ + ": " + gai_strerror(rc);
    return;
  }
  bev_ = bufferevent_socket_new(base_, -1, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_setcb(bev_, &OutboundConnection::on_read, nullptr, &OutboundConnection::on_event, this);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  int rc = bufferevent_socket_connect(bev_, res->ai_addr, static_cast<int>(res->ai_addrlen));
  freeaddrinfo(res);
  if (rc != 0) {
    failed_ = true;
    failure_ = "connect to " + host_ + ":" + port + " failed";
    return;
  }
  int one = 1;
  setsockopt(bufferevent_getfd(bev_), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timer_ = event_new(base_, -1, EV_PERSIST, &OutboundConnection::on_timer, this);
  timeval tick{0, 100 * 1000};
  event_add(timer_, &tick);
}

void OutboundConnection::send(ApiKey key, int16_t version, const BodyEncoder& encode,
                              ResponseHandler handler) {
  Writer w;
  w.write_int32(0);  // size, patched below
  RequestHeader header{key, version, next_correlation_id_++, client_id_, true};
  encode_request_header(w, header);
  encode(w);
  write_frame(header.correlation_id, response_header_version(key, version), w, std::move(handler));
}

void OutboundConnection::send_control(ApiKey key, const std::string& serialized, ResponseHandler handler) {
  Writer w;
  w.write_int32(0);
  // Header v1 by hand: the control keys are outside the client API table.
  int32_t correlation_id = next_correlation_id_++;
  w.write_int16(static_cast<int16_t>(key));
  w.write_int16(kControlApiVersion);
  w.write_int32(correlation_id);
  w.write_nullable_string(client_id_);
  w.write_raw(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(serialized.data()), serialized.size()));
  write_frame(correlation_id, 0, w, std::move(handler));
}

void OutboundConnection::write_frame(int32_t correlation_id, int16_t response_header_version,
                                     const Writer& frame, ResponseHandler handler) {
  if (failed_) {
    auto reason = failure_;
    handler(unexpected(reason));
    return;
  }
  std::vector<uint8_t> bytes = frame.buffer();
  store_be32(bytes.data(), static_cast<uint32_t>(bytes.size() - 4));
  bufferevent_write(bev_, bytes.data(), bytes.size());
  pending_.push_back({correlation_id, response_header_version,
                      std::chrono::steady_clock::now() + request_timeout_, std::move(handler)});
}

void OutboundConnection::read_frames() {
  evbuffer* in = bufferevent_get_input(bev_);
  auto alive = alive_;
  while (*alive && !failed_) {
    uint8_t size_bytes[4];
    if (evbuffer_copyout(in, size_bytes, 4) < 4) return;
    uint32_t size = load_be32(size_bytes);
    if (size > kMaxFrameSize || size < 4) return fail("malformed response frame from " + host_);
    if (evbuffer_get_length(in) < size + 4) return;
    evbuffer_drain(in, 4);
    std::vector<uint8_t> frame(size);
    evbuffer_remove(in, frame.data(), size);
    if (pending_.empty()) return fail("unexpected response from " + host_);
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    Reader r{std::span<const uint8_t>(frame)};
    auto cid = decode_response_header(r, p.response_header_version);
    if (!cid || *cid != p.correlation_id) return fail("response correlation id mismatch from " + host_);
    p.handler(std::span<const uint8_t>(frame).subspan(r.position()));
  }
}

void OutboundConnection::fail(const std::string& reason) {
  if (failed_) return;
  failed_ = true;
  failure_ = reason;
  if (timer_ != nullptr) event_del(timer_);
  if (bev_ != nullptr) bufferevent_disable(bev_, EV_READ | EV_WRITE);
  auto pending = std::move(pending_);
  pending_.clear();
  auto alive = alive_;
  for (auto& p : pending) {
    p.handler(unexpected(reason));
    if (!*alive) return;
  }
}

void OutboundConnection::on_read(bufferevent*, void* arg) {
  static_cast<OutboundConnection*>(arg)->read_frames();
}

void OutboundConnection::on_event(bufferevent*, short events, void* arg) {
  auto* self = static_cast<OutboundConnection*>(arg);
  if (events & BEV_EVENT_CONNECTED) return;
  if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
    self->fail((events & BEV_EVENT_EOF ? "connection closed by " : "socket error talking to ") + self->host_ +
               ":" + std::to_string(self->port_));
  }
}

void OutboundConnection::on_timer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<OutboundConnection*>(arg);
  if (!self->pending_.empty() && std::chrono::steady_clock::now() > self->pending_.front().deadline) {
    self->fail("request to " + self->host_ + ":" + std::to_string(self->port_) + " timed out");
  }
}

}  // namespace gregor::broker
