// KafkaClient: loop driving, connection management, bootstrap and metadata refresh.
#include "client/kafka_client.h"

#include <charconv>

#include "protocol/messages/metadata.h"

namespace gregor::client {

Result<std::vector<HostPort>, ClientError> parse_bootstrap(const std::string& servers) {
  std::vector<HostPort> out;
  size_t start = 0;
  while (start <= servers.size()) {
    size_t comma = servers.find(',', start);
    if (comma == std::string::npos) comma = servers.size();
    std::string item = servers.substr(start, comma - start);
    start = comma + 1;
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty()) continue;
    HostPort hp;
    std::string port;
    if (item.front() == '[') {  // [ipv6]:port
      size_t close = item.find(']');
      if (close == std::string::npos)
        return unexpected(make_error(ErrorCode::INVALID_CONFIG, "bad address " + item));
      hp.host = item.substr(1, close - 1);
      if (close + 1 < item.size() && item[close + 1] == ':') port = item.substr(close + 2);
    } else if (size_t colon = item.rfind(':'); colon != std::string::npos) {
      hp.host = item.substr(0, colon);
      port = item.substr(colon + 1);
    } else {
      hp.host = item;
    }
    if (!port.empty()) {
      auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), hp.port);
      if (ec != std::errc() || p != port.data() + port.size() || hp.port <= 0 || hp.port > 65535) {
        return unexpected(make_error(ErrorCode::INVALID_CONFIG, "bad port in " + item));
      }
    }
    if (hp.host.empty()) return unexpected(make_error(ErrorCode::INVALID_CONFIG, "bad address " + item));
    out.push_back(std::move(hp));
  }
  if (out.empty()) return unexpected(make_error(ErrorCode::INVALID_CONFIG, "no bootstrap servers given"));
  return out;
}

Result<std::unique_ptr<KafkaClient>, ClientError> KafkaClient::create(ClientConfig config) {
  auto bootstrap = parse_bootstrap(config.bootstrap_servers);
  if (!bootstrap) return unexpected(bootstrap.error());
  return std::unique_ptr<KafkaClient>(new KafkaClient(std::move(config), std::move(*bootstrap)));
}

KafkaClient::KafkaClient(ClientConfig config, std::vector<HostPort> bootstrap)
    : config_(std::move(config)), bootstrap_(std::move(bootstrap)) {
  base_ = event_base_new();
  if (base_ == nullptr) throw std::runtime_error("event_base_new failed");
  // A timer that does nothing: it bounds how long one loop pass may block.
  wakeup_ = evtimer_new(
      base_, [](evutil_socket_t, short, void*) {}, nullptr);
}

KafkaClient::~KafkaClient() {
  connections_.clear();
  graveyard_.clear();
  if (wakeup_ != nullptr) event_free(wakeup_);
  event_base_free(base_);
}

void KafkaClient::run_once(std::chrono::milliseconds max_wait) {
  bury_failed();
  graveyard_.clear();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(max_wait).count();
  timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  evtimer_add(wakeup_, &tv);
  event_base_loop(base_, EVLOOP_ONCE);
  evtimer_del(wakeup_);
}

bool KafkaClient::run_until(const std::function<bool()>& done, Clock::time_point deadline) {
  while (!done()) {
    auto now = Clock::now();
    if (now >= deadline) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    run_once(std::min(left + std::chrono::milliseconds(1), std::chrono::milliseconds(100)));
  }
  return true;
}

void KafkaClient::pause(std::chrono::milliseconds d) {
  auto deadline = Clock::now() + d;
  run_until([] { return false; }, deadline);
}

bool KafkaClient::has_unsent() const {
  for (const auto& [id, conn] : connections_) {
    if (conn->has_unsent()) return true;
  }
  return false;
}

void KafkaClient::bury(int32_t node_id, std::unique_ptr<Connection> conn) {
  failed_at_[node_id] = Clock::now();
  graveyard_.push_back(std::move(conn));
}

bool KafkaClient::recently_failed(int32_t node_id) const {
  auto it = failed_at_.find(node_id);
  return it != failed_at_.end() && Clock::now() - it->second < config_.request_timeout;
}

void KafkaClient::bury_failed() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->second->failed()) {
      bury(it->first, std::move(it->second));
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

Connection* KafkaClient::connection(int32_t node_id) {
  auto it = connections_.find(node_id);
  if (it != connections_.end()) {
    if (!it->second->failed()) return it->second.get();
    bury(node_id, std::move(it->second));
    connections_.erase(it);
  }
  std::string host;
  int32_t port = 0;
  if (node_id >= 0) {
    const BrokerInfo* b = metadata_.broker(node_id);
    if (b == nullptr) return nullptr;
    host = b->host;
    port = b->port;
  } else {
    size_t index = static_cast<size_t>(-node_id - 1);
    if (index >= bootstrap_.size()) return nullptr;
    host = bootstrap_[index].host;
    port = bootstrap_[index].port;
  }
  auto conn =
      std::make_unique<Connection>(base_, node_id, host, port, config_.client_id, config_.request_timeout);
  Connection* raw = conn.get();
  connections_[node_id] = std::move(conn);
  return raw;
}

Connection* KafkaClient::any_connection() {
  bury_failed();
  Connection* least = nullptr;
  for (auto& [id, conn] : connections_) {
    if (id < 0 || metadata_.broker(id) == nullptr || recently_failed(id)) continue;
    if (conn->in_flight() == 0) return conn.get();
    if (least == nullptr || conn->in_flight() < least->in_flight()) least = conn.get();
  }
  if (!metadata_.brokers.empty()) {
    // Round robin over the known brokers without a connection, skipping recent failures.
    size_t n = metadata_.brokers.size();
    for (size_t i = 0; i < n; ++i) {
      auto it = metadata_.brokers.begin();
      std::advance(it, (next_bootstrap_ + i) % n);
      if (connections_.contains(it->first) || recently_failed(it->first)) continue;
      next_bootstrap_ += i + 1;
      return connection(it->first);
    }
    if (least != nullptr) return least;
    // Every broker failed lately: try them in turn anyway.
    auto it = metadata_.brokers.begin();
    std::advance(it, next_bootstrap_++ % n);
    return connection(it->first);
  }
  int32_t index = static_cast<int32_t>(next_bootstrap_++ % bootstrap_.size());
  return connection(-index - 1);
}

Result<const ClusterMetadata*, ClientError> KafkaClient::refresh_metadata(
    const std::optional<std::vector<std::string>>& topics, bool allow_auto_topic_creation,
    Clock::time_point deadline) {
  MetadataRequest req;
  if (topics) {
    req.topics.emplace();
    for (const auto& t : *topics) req.topics->push_back({t});
  }
  req.allow_auto_topic_creation = allow_auto_topic_creation;
  auto resp = call_any<MetadataResponse>(req, deadline);
  if (!resp) return unexpected(resp.error());
  update_metadata(*resp, !topics);
  return &metadata_;
}

void KafkaClient::update_metadata(const MetadataResponse& response, bool all_topics) {
  if (all_topics) metadata_.topics.clear();  // a full listing also drops deleted topics
  metadata_.merge(ClusterMetadata::from_response(response));
}

}  // namespace gregor::client
