// KafkaClient: the event loop, broker connections and metadata shared by Producer, Consumer and Admin.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/cluster_metadata.h"
#include "client/connection.h"
#include "client/error.h"
#include "protocol/messages/metadata.h"
#include "protocol/reader.h"
#include "protocol/result.h"

namespace gregor::client {

using Clock = std::chrono::steady_clock;

struct ClientConfig {
  std::string bootstrap_servers = "localhost:9092";  // comma-separated host:port
  std::string client_id = "gregor";
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds retry_backoff{100};
};

struct HostPort {
  std::string host;
  int32_t port = 9092;
};

// Parses "h1:9092,h2,[::1]:9093"; a missing port means 9092.
Result<std::vector<HostPort>, ClientError> parse_bootstrap(const std::string& servers);

// Single-threaded: every call runs on the caller's thread, and the blocking calls drive the
// libevent loop until their answer arrives. Asynchronous users (Producer) queue callbacks
// and call run_once()/run_until() themselves.
class KafkaClient {
 public:
  static Result<std::unique_ptr<KafkaClient>, ClientError> create(ClientConfig config);
  ~KafkaClient();
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;

  const ClientConfig& config() const { return config_; }
  event_base* base() { return base_; }

  // One pass of the loop, waiting at most max_wait for an event.
  void run_once(std::chrono::milliseconds max_wait);
  // Runs the loop until done() holds or the deadline passes; returns done().
  bool run_until(const std::function<bool()>& done, Clock::time_point deadline);

  // The connection to a known broker (opened on first use), or nullptr for an unknown node id.
  Connection* connection(int32_t node_id);
  // A connection to some broker for cluster-wide requests, as Java's leastLoadedNode: an idle live
  // connection, else a known broker not yet connected, else the least loaded live connection;
  // brokers whose connection failed within request.timeout.ms (dead, or hung like a stopped
  // container) come last. Without metadata: the bootstrap addresses, round robin.
  Connection* any_connection();

  // Sends req and decodes the response as Resp; the callback runs once, from the loop.
  template <class Resp, class Req>
  void send(Connection* conn, const Req& req, std::function<void(Result<Resp, ClientError>)> done) {
    conn->send(
        Req::kApiKey, [req](Writer& w, int16_t v) { req.encode(w, v); },
        [done = std::move(done)](Result<std::span<const uint8_t>, ClientError> body, int16_t v) {
          if (!body) return done(unexpected(body.error()));
          Reader r(*body);
          auto resp = Resp::decode(r, v);
          if (!resp) return done(unexpected(make_error(ErrorCode::CORRUPT_MESSAGE, resp.error())));
          done(std::move(*resp));
        });
  }

  // Blocking form of send().
  template <class Resp, class Req>
  Result<Resp, ClientError> call(Connection* conn, const Req& req, Clock::time_point deadline) {
    // Shared: the response may still arrive after a timeout returned.
    auto out = std::make_shared<std::optional<Result<Resp, ClientError>>>();
    send<Resp>(conn, req, [out](Result<Resp, ClientError> r) { *out = std::move(r); });
    if (!run_until([&out] { return out->has_value(); }, deadline)) {
      return unexpected(make_error(ErrorCode::REQUEST_TIMED_OUT, "no response in time"));
    }
    return std::move(**out);
  }

  // Blocking call to any broker, moving on to another one on network errors until the deadline.
  template <class Resp, class Req>
  Result<Resp, ClientError> call_any(const Req& req, Clock::time_point deadline) {
    while (true) {
      Connection* conn = any_connection();
      auto r = call<Resp>(conn, req, deadline);
      // A connection that failed (network error, or its request timeout on a hung broker): the
      // next attempt goes elsewhere.
      bool conn_failed = !r && (r.error().code == ErrorCode::NETWORK_EXCEPTION || conn->failed());
      if (r || !conn_failed || Clock::now() >= deadline) return r;
      pause(config_.retry_backoff);
    }
  }

  // Metadata for the given topics (all topics when nullopt), merged into metadata().
  Result<const ClusterMetadata*, ClientError> refresh_metadata(
      const std::optional<std::vector<std::string>>& topics, bool allow_auto_topic_creation,
      Clock::time_point deadline);
  const ClusterMetadata& metadata() const { return metadata_; }
  // Merges a Metadata response (from an asynchronous request); all_topics drops unlisted topics.
  void update_metadata(const MetadataResponse& response, bool all_topics);

  // True while some connection still has requests or bytes to write.
  bool has_unsent() const;

  // Runs the loop for d (backoff without blocking other connections' progress).
  void pause(std::chrono::milliseconds d);

 private:
  KafkaClient(ClientConfig config, std::vector<HostPort> bootstrap);
  void bury_failed();
  void bury(int32_t node_id, std::unique_ptr<Connection> conn);
  bool recently_failed(int32_t node_id) const;

  ClientConfig config_;
  std::vector<HostPort> bootstrap_;
  size_t next_bootstrap_ = 0;
  event_base* base_ = nullptr;
  event* wakeup_ = nullptr;
  std::map<int32_t, std::unique_ptr<Connection>> connections_;  // bootstrap ones have ids < 0
  // Failed connections are destroyed only between loop passes, never inside their own callbacks.
  std::vector<std::unique_ptr<Connection>> graveyard_;
  ClusterMetadata metadata_;
  std::map<int32_t, Clock::time_point> failed_at_;  // last connection failure per node
};

}  // namespace gregor::client
