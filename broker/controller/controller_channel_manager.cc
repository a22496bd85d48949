// ControllerChannelManager: per-broker strictly ordered, retried control requests over OutboundConnection.
#include "broker/controller/controller_channel_manager.h"

#include "broker/logging.h"

namespace gregor::broker {

ControllerChannelManager::ControllerChannelManager(EventLoop& loop, std::string client_id,
                                                   std::chrono::milliseconds request_timeout,
                                                   std::chrono::milliseconds retry_backoff)
    : loop_(loop),
      client_id_(std::move(client_id)),
      request_timeout_(request_timeout),
      retry_backoff_(retry_backoff) {}

ControllerChannelManager::~ControllerChannelManager() = default;

void ControllerChannelManager::add_broker(int32_t broker, std::string host, int32_t port) {
  auto c = std::make_unique<Channel>();
  c->broker = broker;
  c->host = std::move(host);
  c->port = port;
  generation_[broker] = next_generation_++;
  channels_[broker] = std::move(c);
}

void ControllerChannelManager::remove_broker(int32_t broker) {
  channels_.erase(broker);
  generation_.erase(broker);
}

void ControllerChannelManager::shutdown() {
  channels_.clear();
  generation_.clear();
}

size_t ControllerChannelManager::queued(int32_t broker) const {
  auto it = channels_.find(broker);
  return it == channels_.end() ? 0 : it->second->queue.size();
}

void ControllerChannelManager::send(int32_t broker, ApiKey key, std::string serialized,
                                    ResponseHandler on_response) {
  auto it = channels_.find(broker);
  if (it == channels_.end()) {
    logger("controller")
        ->debug("dropping request (api key {}) to broker {}: not live", static_cast<int>(key), broker);
    return;
  }
  it->second->queue.push_back(Item{key, std::move(serialized), std::move(on_response)});
  pump(*it->second);
}

void ControllerChannelManager::pump(Channel& c) {
  if (c.in_flight || c.queue.empty() || (c.backoff && c.backoff->pending())) return;
  if (!c.connection || c.connection->failed()) {
    c.connection =
        std::make_unique<OutboundConnection>(loop_.base(), c.host, c.port, client_id_, request_timeout_);
  }
  c.in_flight = true;
  const Item& head = c.queue.front();
  int32_t broker = c.broker;
  uint64_t generation = generation_[broker];
  c.connection->send_control(head.key, head.payload,
                             [this, broker, generation](Result<std::span<const uint8_t>, std::string> r) {
                               on_result(broker, generation, std::move(r));
                             });
}

void ControllerChannelManager::on_result(int32_t broker, uint64_t generation,
                                         Result<std::span<const uint8_t>, std::string> r) {
  auto it = channels_.find(broker);
  if (it == channels_.end() || generation_[broker] != generation) return;
  Channel& c = *it->second;
  c.in_flight = false;
  if (!r) {
    // Kafka's RequestSendThread: log, back off, reconnect and send the same request again.
    if (c.failures++ % 50 == 0) {
      logger("controller")
          ->warn("request to broker {} at {}:{} failed ({}); retrying every {} ms", broker, c.host, c.port,
                 r.error(), retry_backoff_.count());
    }
    c.backoff = loop_.run_after(retry_backoff_, [this, broker, generation] {
      auto it = channels_.find(broker);
      if (it == channels_.end() || generation_[broker] != generation) return;
      it->second->connection.reset();
      pump(*it->second);
    });
    return;
  }
  c.failures = 0;
  Item done = std::move(c.queue.front());
  c.queue.pop_front();
  if (done.on_response) done.on_response(*r);
  // The handler may have removed or replaced this channel.
  it = channels_.find(broker);
  if (it != channels_.end() && generation_[broker] == generation) pump(*it->second);
}

}  // namespace gregor::broker
