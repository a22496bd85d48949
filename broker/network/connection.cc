// Connection: frame reading, in-order response queue, backpressure, idle close, zero-copy file regions.
#include "broker/network/connection.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "broker/logging.h"
#include "protocol/endian.h"

namespace gregor::broker {
namespace {

// Request header v1 minimum: api key, version, correlation id, client id length.
constexpr int64_t kMinFrameBytes = 10;
// The staging buffer: one recv() takes up to this much (several pipelined produce requests at once).
constexpr size_t kStagingBytes = 64 * 1024;
// Frames larger than this are received straight into their own buffer instead of through staging.
constexpr size_t kLargeFrameBytes = kStagingBytes / 2;
// Before a recv(), the staging buffer is compacted when less than this is free at its end.
constexpr size_t kMinRecvBytes = 16 * 1024;
// Receive rounds per read callback: bounded so one busy client does not starve the others.
constexpr int kMaxReceivesPerCallback = 8;
constexpr int kMaxIov = 64;

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
      fd_(fd),
      id_(id),
      peer_(std::move(peer)),
      limits_(limits),
      on_frame_(std::move(on_frame)),
      on_close_(std::move(on_close)) {
  auto colon = peer_.rfind(':');
  peer_host_ = colon == std::string::npos ? peer_ : peer_.substr(0, colon);
}

Connection::~Connection() {
  read_ev_.reset();
  write_ev_.reset();
  idle_ev_.reset();
  if (fd_ >= 0) ::close(fd_);
}

void Connection::start() {
  read_ev_.reset(event_new(base_, fd_, EV_READ | EV_PERSIST, &Connection::on_readable, this));
  write_ev_.reset(event_new(base_, fd_, EV_WRITE | EV_PERSIST, &Connection::on_writable, this));
  if (!read_ev_ || !write_ev_) throw std::runtime_error("event_new failed for connection from " + peer_);
  event_add(read_ev_.get(), nullptr);
  last_active_ms_ = monotonic_ms();
  if (limits_.idle_timeout_ms > 0) {
    idle_ev_.reset(evtimer_new(base_, &Connection::on_idle_check, this));
    arm_idle_check(limits_.idle_timeout_ms);
  }
}

int64_t Connection::monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void Connection::arm_idle_check(int64_t delay_ms) {
  timeval tv{static_cast<time_t>(delay_ms / 1000), static_cast<suseconds_t>((delay_ms % 1000) * 1000)};
  event_add(idle_ev_.get(), &tv);
}

// connections.max.idle.ms: checked by one timer rather than re-armed on every read.
void Connection::on_idle_check(evutil_socket_t, short, void* arg) {
  auto self = static_cast<Connection*>(arg)->shared_from_this();
  int64_t idle = monotonic_ms() - self->last_active_ms_;
  if (idle < self->limits_.idle_timeout_ms) return self->arm_idle_check(self->limits_.idle_timeout_ms - idle);
  if (self->slots_.empty() && self->out_.empty()) return self->close("idle for connections.max.idle.ms");
  self->last_active_ms_ = monotonic_ms();  // waiting on our own answers is not idleness
  self->arm_idle_check(self->limits_.idle_timeout_ms);
}

void Connection::on_readable(evutil_socket_t, short, void* arg) {
  auto self = static_cast<Connection*>(arg)->shared_from_this();
  self->last_active_ms_ = monotonic_ms();
  self->read_and_dispatch();
}

void Connection::on_writable(evutil_socket_t, short, void* arg) {
  auto self = static_cast<Connection*>(arg)->shared_from_this();
  self->last_active_ms_ = monotonic_ms();
  self->flush_output();
}

void Connection::read_and_dispatch() {
  for (int round = 0; round < kMaxReceivesPerCallback; ++round) {
    dispatch_buffered_frames();
    if (closed_ || !reading_ || !receive()) return;
  }
  dispatch_buffered_frames();
}

bool Connection::receive() {
  uint8_t* target;
  size_t room;
  if (reading_large_) {
    target = large_frame_.data() + large_filled_;
    room = large_frame_.size() - large_filled_;
  } else {
    if (!in_) in_.reset(new uint8_t[kStagingBytes]);  // left uninitialised: only received bytes touch pages
    if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
    if (in_begin_ > 0 && kStagingBytes - in_end_ < kMinRecvBytes) {
      std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    target = in_.get() + in_end_;
    room = kStagingBytes - in_end_;
  }
  ssize_t n;
  do {
    n = ::recv(fd_, target, room, 0);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    (reading_large_ ? large_filled_ : in_end_) += static_cast<size_t>(n);
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
  close(n == 0 ? "peer closed" : std::string("socket error: ") + std::strerror(errno));
  return false;
}

void Connection::dispatch_buffered_frames() {
  while (!closed_ && reading_) {
    std::vector<uint8_t> frame;
    if (reading_large_) {
      if (large_filled_ < large_frame_.size()) return;
      reading_large_ = false;
      frame = std::move(large_frame_);
      large_frame_ = {};
    } else {
      size_t available = in_end_ - in_begin_;
      if (available < 4) return;
      const uint8_t* head = in_.get() + in_begin_;
      int64_t size = static_cast<int32_t>(load_be32(head));
      if (size < kMinFrameBytes || size > limits_.max_frame_bytes) {
        return close("frame size " + std::to_string(size) + " outside [" + std::to_string(kMinFrameBytes) +
                     ", " + std::to_string(limits_.max_frame_bytes) + "] (socket.request.max.bytes)");
      }
      const size_t frame_bytes = static_cast<size_t>(size);
      if (available - 4 < frame_bytes) {
        if (frame_bytes > kLargeFrameBytes) {
          large_frame_.resize(frame_bytes);
          large_filled_ = available - 4;
          std::memcpy(large_frame_.data(), head + 4, large_filled_);
          reading_large_ = true;
          in_begin_ = in_end_ = 0;
        }
        return;
      }
      frame.assign(head + 4, head + 4 + frame_bytes);
      in_begin_ += 4 + frame_bytes;
    }
    uint64_t seq = next_seq_++;
    slots_.push_back(Slot{seq});
    update_read_interest();
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
    if (slots_.front().response) {
      Outgoing o;
      Response& r = *slots_.front().response;
      store_be32(o.prefix.data(), static_cast<uint32_t>(r.size()));
      out_bytes_ += 4 + static_cast<size_t>(r.size());
      o.response = std::move(r);
      out_.push_back(std::move(o));
    }
    slots_.pop_front();
  }
  flush_output();
  update_read_interest();
}

Connection::Part Connection::part(const Outgoing& o, size_t index) {
  const Response& r = o.response;
  if (index == 0) return Part{o.prefix.data(), o.prefix.size(), nullptr};
  size_t region = (index - 1) / 2;
  if (index % 2 == 0) {
    const FileRegion& f = r.regions[region].second;
    return f.length > 0 ? Part{nullptr, static_cast<size_t>(f.length), &f} : Part{};
  }
  size_t from = region == 0 ? 0 : r.regions[region - 1].first;
  size_t to = region < r.regions.size() ? r.regions[region].first : r.bytes.size();
  return Part{r.bytes.data() + from, to > from ? to - from : 0, nullptr};
}

void Connection::flush_output() {
  while (!closed_ && !out_.empty() && send_some()) {
  }
  if (closed_) return;
  bool want_write = !out_.empty();
  if (want_write != write_armed_) {
    write_armed_ = want_write;
    if (want_write) {
      event_add(write_ev_.get(), nullptr);
    } else {
      event_del(write_ev_.get());
    }
  }
  update_read_interest();
}

bool Connection::send_some() {
  iovec iov[kMaxIov];
  int count = 0;
  const FileRegion* region = nullptr;
  size_t skip = out_.front().part_sent;
  for (auto it = out_.begin(); it != out_.end() && count < kMaxIov && !region; ++it) {
    for (size_t i = it->next_part; i < part_count(*it) && count < kMaxIov; ++i) {
      Part p = part(*it, i);
      if (p.region) {  // stop gathering: a file region goes out by itself, after the bytes before it
        region = p.region;
        break;
      }
      if (p.length > skip) iov[count++] = iovec{const_cast<uint8_t*>(p.data) + skip, p.length - skip};
      skip = 0;
    }
  }
  ssize_t n;
  if (count > 0) {
    do {
      n = ::writev(fd_, iov, count);
    } while (n < 0 && errno == EINTR);
  } else if (region) {
    size_t sent = out_.front().part_sent;
    off_t offset = region->offset + static_cast<off_t>(sent);
    size_t left = static_cast<size_t>(region->length) - sent;
    do {
      n = ::sendfile(fd_, region->fd, &offset, std::min<size_t>(left, 1 << 30));
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
      logger("net")->error("file region of {} bytes for {} ended {} bytes early (file truncated); closing",
                           region->length, peer_, left);
      close("file region ended early");
      return false;
    }
  } else {
    consume_sent(0);  // only empty parts were left
    return true;
  }
  if (n >= 0) {
    consume_sent(static_cast<size_t>(n));
    return true;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
  close(std::string("socket error: ") + std::strerror(errno));
  return false;
}

void Connection::consume_sent(size_t bytes) {
  out_bytes_ -= bytes;
  while (!out_.empty()) {
    Outgoing& o = out_.front();
    for (; o.next_part < part_count(o); ++o.next_part, o.part_sent = 0) {
      size_t left = part(o, o.next_part).length - o.part_sent;
      if (left > bytes) {
        o.part_sent += bytes;
        return;
      }
      bytes -= left;
    }
    out_.pop_front();
  }
}

void Connection::update_read_interest() {
  if (closed_) return;
  bool want = slots_.size() < limits_.max_in_flight && out_bytes_ < limits_.max_output_bytes;
  if (want == reading_) return;
  reading_ = want;
  if (want) {
    event_add(read_ev_.get(), nullptr);
    // Frames may already be buffered: no new read event would announce them.
    event_active(read_ev_.get(), EV_READ, 0);
  } else {
    event_del(read_ev_.get());
  }
}

void Connection::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  logger("net")->debug("closing connection {} from {}: {}", id_, peer_, reason);
  if (reason != "peer closed" && reason != "idle for connections.max.idle.ms") {
    logger("net")->info("closed connection from {}: {}", peer_, reason);
  }
  read_ev_.reset();
  write_ev_.reset();
  idle_ev_.reset();
  ::close(fd_);
  fd_ = -1;
  slots_.clear();
  out_.clear();
  out_bytes_ = 0;
  auto self = shared_from_this();
  on_close_(id_);
}

}  // namespace gregor::broker
