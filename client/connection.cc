// Connection: socket handling, framing, ApiVersions negotiation and correlation of responses.
#include "client/connection.h"

#include <event2/buffer.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "protocol/api_versions_table.h"
#include "protocol/endian.h"
#include "protocol/messages/api_versions.h"
#include "protocol/reader.h"
#include "protocol/request_header.h"

namespace gregor::client {

namespace {

// Kafka's socket.request.max.bytes: a larger frame means we are out of sync with the peer.
constexpr uint32_t kMaxFrameSize = 104857600;
constexpr int16_t kApiVersionsFirstTry = 3;

}  // namespace

Connection::Connection(event_base* base, int32_t node_id, std::string host, int32_t port,
                       std::string client_id, std::chrono::milliseconds request_timeout)
    : base_(base),
      node_id_(node_id),
      host_(std::move(host)),
      port_(port),
      client_id_(std::move(client_id)),
      request_timeout_(request_timeout) {}

Connection::~Connection() {
  if (timer_ != nullptr) event_free(timer_);
  if (bev_ != nullptr) bufferevent_free(bev_);
}

void Connection::start() {
  state_ = State::Connecting;
  setup_started_ = std::chrono::steady_clock::now();
  // getaddrinfo blocks, but only once per broker: a client resolves a handful of names.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(port_);
  if (int rc = getaddrinfo(host_.c_str(), port.c_str(), &hints, &res); rc != 0) {
    fail(make_error(ErrorCode::NETWORK_EXCEPTION, "resolve " + host_ + ": " + gai_strerror(rc)));
    return;
  }
  bev_ = bufferevent_socket_new(base_, -1, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_setcb(bev_, &Connection::on_read, nullptr, &Connection::on_event, this);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  int rc = bufferevent_socket_connect(bev_, res->ai_addr, static_cast<int>(res->ai_addrlen));
  freeaddrinfo(res);
  if (rc != 0) {
    fail(make_error(ErrorCode::NETWORK_EXCEPTION, "connect to " + host_ + ":" + port + " failed"));
    return;
  }
  timer_ = event_new(base_, -1, EV_PERSIST, &Connection::on_timer, this);
  timeval tick{0, 100 * 1000};
  event_add(timer_, &tick);
}

void Connection::send(ApiKey key, BodyEncoder encode, ResponseHandler handler) {
  Pending p{key, 0, 0, std::move(encode), std::move(handler), {}};
  if (state_ == State::Failed) {
    if (p.handler) p.handler(unexpected(failure_), 0);
    return;
  }
  if (state_ == State::Idle) start();
  if (state_ == State::Failed) {  // start() failed at once (name not resolvable, connect refused)
    if (p.handler) p.handler(unexpected(failure_), 0);
    return;
  }
  if (state_ != State::Ready) {
    queued_.push_back(std::move(p));
    return;
  }
  write_request(std::move(p));
}

bool Connection::has_unsent() const {
  if (state_ == State::Failed) return false;
  if (!queued_.empty()) return true;
  return bev_ != nullptr && evbuffer_get_length(bufferevent_get_output(bev_)) > 0;
}

std::optional<int16_t> Connection::version_for(ApiKey key) const {
  const ApiVersionRange* ours = find_api(key);
  auto theirs = broker_versions_.find(static_cast<int16_t>(key));
  if (ours == nullptr || theirs == broker_versions_.end()) return std::nullopt;
  int16_t low = std::max(ours->min_served_version, theirs->second.first);
  int16_t high = std::min(ours->max_version, theirs->second.second);
  if (high < low) return std::nullopt;
  return high;
}

void Connection::write_request(Pending p) {
  if (p.key != ApiKey::ApiVersions) {
    std::optional<int16_t> version = version_for(p.key);
    if (!version) {
      if (p.handler) {
        p.handler(
            unexpected(make_error(ErrorCode::UNSUPPORTED_VERSION,
                                  std::string("broker does not support ") + std::string(to_string(p.key)))),
            0);
      }
      return;
    }
    p.version = *version;
  }
  p.correlation_id = next_correlation_id_++;
  Writer w;
  size_t size_pos = w.reserve_i32();
  encode_request_header(w, RequestHeader{p.key, p.version, p.correlation_id, client_id_});
  p.encode(w, p.version);
  w.patch_i32(size_pos, static_cast<int32_t>(w.buffer().size() - 4));
  write_bytes(w.buffer());
  p.sent_at = std::chrono::steady_clock::now();
  if (p.handler) in_flight_.push_back(std::move(p));
}

// Sent straight away when nothing is queued before it: through the bufferevent a request waited for the
// next loop iteration, was copied once more, and cost two epoll_ctl calls (the write event added, removed).
void Connection::write_bytes(std::span<const uint8_t> bytes) {
  evbuffer* out = bufferevent_get_output(bev_);
  size_t sent = 0;
  if (evbuffer_get_length(out) == 0) {
    ssize_t n;
    do {
      n = ::send(bufferevent_getfd(bev_), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    // Errors other than a full socket are left to the bufferevent, which reports them through on_event.
    if (n > 0) sent = static_cast<size_t>(n);
  }
  if (sent < bytes.size()) bufferevent_write(bev_, bytes.data() + sent, bytes.size() - sent);
}

void Connection::send_api_versions(int16_t version) {
  Pending p{ApiKey::ApiVersions,
            version,
            0,
            [](Writer& w, int16_t v) {
              ApiVersionsRequest req{"gregor", "0.1.0"};
              req.encode(w, v);
            },
            [this](Result<std::span<const uint8_t>, ClientError> body, int16_t v) {
              handle_api_versions(std::move(body), v);
            },
            {}};
  write_request(std::move(p));
}

void Connection::handle_api_versions(Result<std::span<const uint8_t>, ClientError> body, int16_t version) {
  if (!body) return;  // the connection has failed already
  Reader r(*body);
  auto resp = ApiVersionsResponse::decode(r, version);
  if (!resp && version > 0) {  // an error response is always a v0 body (protocol.md §3.3)
    Reader r0(*body);
    resp = ApiVersionsResponse::decode(r0, 0);
  }
  if (!resp) {
    fail(make_error(ErrorCode::CORRUPT_MESSAGE, "bad ApiVersions response: " + resp.error()));
    return;
  }
  if (resp->error_code == static_cast<int16_t>(ErrorCode::UNSUPPORTED_VERSION) && version > 0) {
    int16_t retry = 0;
    for (const auto& k : resp->api_keys) {
      if (k.api_key == static_cast<int16_t>(ApiKey::ApiVersions))
        retry = std::min<int16_t>(k.max_version, version - 1);
    }
    send_api_versions(retry);
    return;
  }
  if (resp->error_code != 0) {
    fail(make_error(static_cast<ErrorCode>(resp->error_code), "ApiVersions failed"));
    return;
  }
  for (const auto& k : resp->api_keys) broker_versions_[k.api_key] = {k.min_version, k.max_version};
  state_ = State::Ready;
  std::deque<Pending> queued;
  queued.swap(queued_);
  for (Pending& p : queued) write_request(std::move(p));
}

void Connection::on_read(bufferevent* bev, void* self) {
  auto* c = static_cast<Connection*>(self);
  evbuffer* in = bufferevent_get_input(bev);
  while (c->state_ != State::Failed) {
    if (c->reading_partial_) {
      if (!c->fill_partial_frame(in)) return;
      c->reading_partial_ = false;
      std::vector<uint8_t> frame = std::move(c->partial_frame_);
      c->partial_frame_ = {};
      c->handle_frame(frame);
      if (c->state_ != State::Failed && frame.capacity() <= kMaxSpareFrame)
        c->spare_frame_ = std::move(frame);
      continue;
    }
    size_t available = evbuffer_get_length(in);
    if (available < 4) return;
    uint8_t size_bytes[4];
    evbuffer_copyout(in, size_bytes, 4);
    uint32_t size = load_be32(size_bytes);
    if (size < 4 || size > kMaxFrameSize) {
      c->fail(make_error(ErrorCode::CORRUPT_MESSAGE, "bad response frame size " + std::to_string(size)));
      return;
    }
    evbuffer_drain(in, 4);
    if (available < 4 + static_cast<size_t>(size)) {
      c->partial_frame_ = std::move(c->spare_frame_);
      c->spare_frame_ = {};
      c->partial_frame_.resize(size);  // zero-fills only beyond the spare's old size
      c->partial_filled_ = 0;
      c->reading_partial_ = true;
      continue;
    }
    std::vector<uint8_t> frame(size);
    evbuffer_remove(in, frame.data(), size);
    c->handle_frame(frame);
  }
}

bool Connection::fill_partial_frame(evbuffer* in) {
  size_t wanted = partial_frame_.size() - partial_filled_;
  size_t buffered = std::min(evbuffer_get_length(in), wanted);
  if (buffered > 0) {
    evbuffer_remove(in, partial_frame_.data() + partial_filled_, buffered);
    partial_filled_ += buffered;
    wanted -= buffered;
  }
  // The socket is non-blocking (bufferevent made it so): read what the kernel has, up to the frame's end.
  evutil_socket_t fd = bufferevent_getfd(bev_);
  while (wanted > 0) {
    ssize_t n = ::recv(fd, partial_frame_.data() + partial_filled_, wanted, 0);
    if (n > 0) {
      partial_filled_ += static_cast<size_t>(n);
      wanted -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;  // the rest comes later
    std::string where = host_ + ":" + std::to_string(port_);
    fail(make_error(ErrorCode::NETWORK_EXCEPTION,
                    n == 0 ? "connection to " + where + " closed by the broker"
                           : "connection to " + where + ": " + evutil_socket_error_to_string(errno)));
    return false;
  }
  return true;
}

void Connection::handle_frame(std::span<const uint8_t> frame) {
  if (in_flight_.empty()) {
    fail(make_error(ErrorCode::CORRUPT_MESSAGE, "response without a request"));
    return;
  }
  Pending p = std::move(in_flight_.front());
  in_flight_.pop_front();
  Reader r{frame};
  auto correlation = decode_response_header(r, response_header_version(p.key, p.version));
  if (!correlation || *correlation != p.correlation_id) {
    in_flight_.push_front(std::move(p));  // fail() answers it with the connection error
    fail(make_error(ErrorCode::CORRUPT_MESSAGE, "correlation id mismatch"));
    return;
  }
  std::span<const uint8_t> body(frame.data() + r.position(), frame.size() - r.position());
  p.handler(body, p.version);
}

void Connection::on_event(bufferevent*, short events, void* self) {
  auto* c = static_cast<Connection*>(self);
  if (events & BEV_EVENT_CONNECTED) {
    int one = 1;
    setsockopt(bufferevent_getfd(c->bev_), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->state_ = State::Negotiating;
    c->send_api_versions(kApiVersionsFirstTry);
    return;
  }
  std::string where = c->host_ + ":" + std::to_string(c->port_);
  if (events & BEV_EVENT_EOF) {
    c->fail(make_error(ErrorCode::NETWORK_EXCEPTION, "connection to " + where + " closed by the broker"));
  } else if (events & BEV_EVENT_ERROR) {
    c->fail(
        make_error(ErrorCode::NETWORK_EXCEPTION,
                   "connection to " + where + ": " + evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR())));
  }
}

void Connection::on_timer(evutil_socket_t, short, void* self) {
  auto* c = static_cast<Connection*>(self);
  auto now = std::chrono::steady_clock::now();
  auto setup_timeout = std::min(c->request_timeout_, kConnectionSetupTimeout);
  if ((c->state_ == State::Connecting || c->state_ == State::Negotiating) &&
      now - c->setup_started_ > setup_timeout) {
    c->fail(make_error(ErrorCode::NETWORK_EXCEPTION, "connection to " + c->host_ + ":" +
                                                         std::to_string(c->port_) + " not set up within " +
                                                         std::to_string(setup_timeout.count()) + " ms"));
    return;
  }
  bool expired = !c->in_flight_.empty() && now - c->in_flight_.front().sent_at > c->request_timeout_;
  if (expired) {
    c->fail(make_error(ErrorCode::REQUEST_TIMED_OUT,
                       "no response from " + c->host_ + ":" + std::to_string(c->port_) + " within " +
                           std::to_string(c->request_timeout_.count()) + " ms"));
  }
}

void Connection::fail(ClientError error) {
  if (state_ == State::Failed) return;
  state_ = State::Failed;
  failure_ = std::move(error);
  reading_partial_ = false;
  partial_frame_ = {};
  if (timer_ != nullptr) event_del(timer_);
  if (bev_ != nullptr) {
    bufferevent_free(bev_);  // closes the socket
    bev_ = nullptr;
  }
  std::deque<Pending> pending;
  pending.swap(in_flight_);
  for (Pending& p : queued_) pending.push_back(std::move(p));
  queued_.clear();
  for (Pending& p : pending) {
    if (p.handler) p.handler(unexpected(failure_), p.version);
  }
}

}  // namespace gregor::client
