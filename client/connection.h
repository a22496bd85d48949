// Connection: one TCP connection to a broker on a libevent loop; pipelined requests matched by correlation
// id.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client/error.h"
#include "protocol/api_key.h"
#include "protocol/result.h"
#include "protocol/writer.h"

namespace gregor::client {

// A connection opens with ApiVersions (v3, falling back to v0 on UNSUPPORTED_VERSION) and then
// uses, per API, the highest version both sides speak. Requests queued before that are sent
// once the versions are known. Responses arrive in request order (protocol.md §1.3); a
// mismatched correlation id, a request timeout or a socket error fails the whole connection
// and every request on it, as Java's NetworkClient does.
class Connection {
 public:
  // Java's socket.connection.setup.timeout.ms: a broker whose address takes no SYN (a stopped
  // container, a dead host) fails the connection after this, not after the kernel's ~2 minutes
  // of SYN retries, so the caller moves on to another broker. Capped by the request timeout.
  static constexpr std::chrono::milliseconds kConnectionSetupTimeout{10000};

  enum class State { Idle, Connecting, Negotiating, Ready, Failed };

  // Writes a request body at the negotiated version.
  using BodyEncoder = std::function<void(Writer&, int16_t version)>;
  // Gets the response body (after the header) and the version it was sent at, or the error.
  using ResponseHandler = std::function<void(Result<std::span<const uint8_t>, ClientError>, int16_t version)>;

  Connection(event_base* base, int32_t node_id, std::string host, int32_t port, std::string client_id,
             std::chrono::milliseconds request_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Queues a request. A null handler means no response is expected (Produce acks=0); otherwise the
  // handler runs exactly once, from the event loop.
  void send(ApiKey key, BodyEncoder encode, ResponseHandler handler);

  // The version to use for key: the highest both sides speak, or nullopt before negotiation or when
  // there is none in common.
  std::optional<int16_t> version_for(ApiKey key) const;

  State state() const { return state_; }
  bool ready() const { return state_ == State::Ready; }
  bool failed() const { return state_ == State::Failed; }
  const ClientError& failure() const { return failure_; }
  int32_t node_id() const { return node_id_; }
  const std::string& host() const { return host_; }
  int32_t port() const { return port_; }
  // Requests sent and awaiting a response, plus those queued before negotiation.
  size_t in_flight() const { return in_flight_.size() + queued_.size(); }
  // True while requests are queued or bytes wait in the socket's output buffer (acks=0 Produce
  // has no response to wait for, so flush() waits for this instead).
  bool has_unsent() const;

 private:
  struct Pending {
    ApiKey key;
    int16_t version = 0;
    int32_t correlation_id = 0;
    BodyEncoder encode;
    ResponseHandler handler;
    std::chrono::steady_clock::time_point sent_at;
  };

  static void on_read(bufferevent* bev, void* self);
  static void on_event(bufferevent* bev, short events, void* self);
  static void on_timer(evutil_socket_t, short, void* self);

  void start();
  void send_api_versions(int16_t version);
  void handle_api_versions(Result<std::span<const uint8_t>, ClientError> body, int16_t version);
  void write_request(Pending p);
  void handle_frame(std::span<const uint8_t> frame);
  // Fills partial_frame_ from the input buffer, then straight from the socket; false when the
  // connection failed (EOF, error) or the frame is still incomplete.
  bool fill_partial_frame(evbuffer* in);
  void write_bytes(std::span<const uint8_t> bytes);
  void fail(ClientError error);

  event_base* base_;
  int32_t node_id_;
  std::string host_;
  int32_t port_;
  std::string client_id_;
  std::chrono::milliseconds request_timeout_;
  std::chrono::steady_clock::time_point setup_started_;  // connect() called; setup = until Ready
  State state_ = State::Idle;
  ClientError failure_;
  bufferevent* bev_ = nullptr;
  event* timer_ = nullptr;
  int32_t next_correlation_id_ = 1;
  // A response larger than what the input buffer holds is read straight into its own buffer with
  // recv() until the socket is drained: libevent 2.1 reads at most 4 KiB per call, which made a
  // 1 MiB Fetch response cost 256 rounds of readv + ioctl + epoll_wait, most of a consumer's CPU.
  std::vector<uint8_t> partial_frame_;
  size_t partial_filled_ = 0;
  // The last large frame's buffer, reused for the next one (a consumer gets one per Fetch): a fresh
  // MiB per response made malloc hand memory back and forth to the kernel (brk, page faults).
  std::vector<uint8_t> spare_frame_;
  static constexpr size_t kMaxSpareFrame = 16 << 20;
  bool reading_partial_ = false;
  std::deque<Pending> in_flight_;                                   // sent, in order
  std::deque<Pending> queued_;                                      // waiting for negotiation
  std::map<int16_t, std::pair<int16_t, int16_t>> broker_versions_;  // api key -> (min, max)
};

}  // namespace gregor::client
