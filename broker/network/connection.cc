// Connection: frame reading, in-order response queue, backpressure, idle close, zero-copy file regions.
#include "broker/network/connection.h"

#include <event2/buffer.h>
#include <event2/event.h>

#include "broker/logging.h"
#include "protocol/endian.h"

namespace gregor::broker {
namespace {

// Request header v1 minimum: api key, version, correlation id, client id length.
constexpr int64_t kMinFrameBytes = 10;
// Responses above this size are handed to libevent by reference instead of copied.
constexpr size_t kReferenceThreshold = 16 * 1024;

struct SharedBytes {
  std::vector<uint8_t> bytes;
  int refs = 0;
};

void release_shared_bytes(const void*, size_t, void* arg) {
  auto* s = static_cast<SharedBytes*>(arg);
  if (--s->refs == 0) delete s;
}

void release_region_owner(evbuffer_file_segment const*, int, void* arg) {
  delete static_cast<std::shared_ptr<const void>*>(arg);
}

}  // namespace

void Responder::send(Response response) const {
  if (auto c = conn_.lock()) c->complete(seq_, std::move(response));
}

void Responder::send_nothing() const {
  if (auto c = conn_.lock()) c->complete(seq_, std::nullopt);
}

void Responder::close_connection(const std::string& reason) const {
  if (auto c = conn_.lock()) c->close(reason);
}

Connection::Connection(event_base* base, int fd, uint64_t id, std::string peer, ConnectionLimits limits,
                       FrameHandler on_frame, CloseHandler on_close)
    : base_(base),
      bev_(bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)),
      id_(id),
      peer_(std::move(peer)),
      limits_(limits),
      on_frame_(std::move(on_frame)),
      on_close_(std::move(on_close)) {
  auto colon = peer_.rfind(':');
  peer_host_ = colon == std::string::npos ? peer_ : peer_.substr(0, colon);
}

Connection::~Connection() {
  if (bev_) bufferevent_free(bev_);
}

void Connection::start() {
  bufferevent_setcb(bev_, &Connection::on_read, &Connection::on_write, &Connection::on_event, this);
  bufferevent_setwatermark(bev_, EV_WRITE, limits_.max_output_bytes / 2, 0);
  if (limits_.idle_timeout_ms > 0) {
    timeval tv{static_cast<time_t>(limits_.idle_timeout_ms / 1000),
               static_cast<suseconds_t>((limits_.idle_timeout_ms % 1000) * 1000)};
    bufferevent_set_timeouts(bev_, &tv, nullptr);
  }
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
}

void Connection::on_read(bufferevent*, void* arg) {
  auto self = static_cast<Connection*>(arg)->shared_from_this();
  self->read_frames();
}

void Connection::on_write(bufferevent*, void* arg) {
  auto self = static_cast<Connection*>(arg)->shared_from_this();
  self->update_read_interest();
}

void Connection::on_event(bufferevent*, short what, void* arg) {
  auto self = static_cast<Connection*>(arg)->shared_from_this();
  if (what & BEV_EVENT_TIMEOUT) {
    bool busy = !self->slots_.empty() || evbuffer_get_length(bufferevent_get_output(self->bev_)) > 0;
    if (!busy) return self->close("idle for connections.max.idle.ms");
    bufferevent_enable(self->bev_, EV_READ);
    return;
  }
  if (what & BEV_EVENT_EOF) return self->close("peer closed");
  if (what & BEV_EVENT_ERROR) return self->close("socket error");
}

void Connection::read_frames() {
  evbuffer* in = bufferevent_get_input(bev_);
  while (!closed_ && reading_) {
    size_t available = evbuffer_get_length(in);
    if (available < 4) return;
    uint8_t prefix[4];
    evbuffer_copyout(in, prefix, 4);
    int64_t size = static_cast<int32_t>(load_be32(prefix));
    if (size < kMinFrameBytes || size > limits_.max_frame_bytes) {
      return close("frame size " + std::to_string(size) + " outside [" + std::to_string(kMinFrameBytes) + ", " +
                   std::to_string(limits_.max_frame_bytes) + "] (socket.request.max.bytes)");
    }
    if (available < static_cast<size_t>(size) + 4) return;
    evbuffer_drain(in, 4);
    std::vector<uint8_t> frame(static_cast<size_t>(size));
    evbuffer_remove(in, frame.data(), frame.size());
    uint64_t seq = next_seq_++;
    slots_.push_back(Slot{seq});
    update_read_interest();
    auto self = shared_from_this();
    on_frame_(*this, std::move(frame), Responder(weak_from_this(), seq));
  }
}

void Connection::complete(uint64_t seq, std::optional<Response> response) {
  if (closed_ || slots_.empty() || seq < slots_.front().seq) return;
  size_t index = seq - slots_.front().seq;
  if (index >= slots_.size() || slots_[index].done) return;
  slots_[index].done = true;
  slots_[index].response = std::move(response);
  flush_completed();
}

void Connection::flush_completed() {
  while (!slots_.empty() && slots_.front().done) {
    if (slots_.front().response) write_response(*slots_.front().response);
    slots_.pop_front();
  }
  update_read_interest();
}

void Connection::write_response(Response& r) {
  evbuffer* out = bufferevent_get_output(bev_);
  uint8_t prefix[4];
  store_be32(prefix, static_cast<uint32_t>(r.size()));
  evbuffer_add(out, prefix, 4);

  SharedBytes* shared = nullptr;
  if (r.bytes.size() >= kReferenceThreshold) shared = new SharedBytes{std::move(r.bytes), 0};
  const std::vector<uint8_t>& bytes = shared ? shared->bytes : r.bytes;
  auto add_bytes = [&](size_t from, size_t to) {
    if (to <= from) return;
    if (!shared) {
      evbuffer_add(out, bytes.data() + from, to - from);
      return;
    }
    shared->refs++;
    evbuffer_add_reference(out, bytes.data() + from, to - from, &release_shared_bytes, shared);
  };
  size_t pos = 0;
  for (auto& [at, region] : r.regions) {
    add_bytes(pos, at);
    pos = at;
    if (region.length <= 0) continue;
    evbuffer_file_segment* seg = evbuffer_file_segment_new(region.fd, region.offset, region.length, 0);
    if (!seg) {
      logger("net")->error("cannot map file region of {} bytes for {}; closing", region.length, peer_);
      if (shared && shared->refs == 0) delete shared;
      return close("file region error");
    }
    evbuffer_file_segment_add_cleanup_cb(seg, &release_region_owner, new std::shared_ptr<const void>(region.owner));
    evbuffer_add_file_segment(out, seg, 0, region.length);
    evbuffer_file_segment_free(seg);
  }
  add_bytes(pos, bytes.size());
  if (shared && shared->refs == 0) delete shared;
}

void Connection::update_read_interest() {
  if (closed_) return;
  size_t pending_out = evbuffer_get_length(bufferevent_get_output(bev_));
  bool want = slots_.size() < limits_.max_in_flight && pending_out < limits_.max_output_bytes;
  if (want == reading_) return;
  reading_ = want;
  if (want) {
    bufferevent_enable(bev_, EV_READ);
    // Frames may already be buffered: no new read event would announce them.
    event_base_once(
        base_, -1, EV_TIMEOUT,
        [](evutil_socket_t, short, void* arg) {
          auto* weak = static_cast<std::weak_ptr<Connection>*>(arg);
          if (auto c = weak->lock()) c->read_frames();
          delete weak;
        },
        new std::weak_ptr<Connection>(weak_from_this()), nullptr);
  } else {
    bufferevent_disable(bev_, EV_READ);
  }
}

void Connection::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  logger("net")->debug("closing connection {} from {}: {}", id_, peer_, reason);
  if (reason != "peer closed" && reason != "idle for connections.max.idle.ms") {
    logger("net")->info("closed connection from {}: {}", peer_, reason);
  }
  bufferevent_free(bev_);
  bev_ = nullptr;
  slots_.clear();
  auto self = shared_from_this();
  on_close_(id_);
}

}  // namespace gregor::broker
