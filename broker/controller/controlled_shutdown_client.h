// ControlledShutdownClient: the broker side of controlled shutdown (KafkaServer.controlledShutdown, §3.11) —
// asks the controller to move this broker's leaderships away, up to controlled.shutdown.max.retries attempts.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "broker/config.h"
#include "broker/event_loop.h"
#include "broker/network/outbound_connection.h"

namespace gregor::broker {

class ControlledShutdownClient {
 public:
  struct Target {
    int32_t controller_id = -1;
    std::string host;
    int32_t port = 0;
  };
  // controller(): the current controller's control endpoint, nullopt when unknown (that attempt fails).
  ControlledShutdownClient(EventLoop& loop, const BrokerConfig& config,
                           std::function<std::optional<Target>()> controller,
                           std::function<int64_t()> broker_epoch);
  ~ControlledShutdownClient();

  // done(true) when an attempt got error NONE and no remaining partitions; done(false) after the last
  // attempt.
  void run(std::function<void(bool succeeded)> done);

 private:
  void attempt();
  void failed(const std::string& why);

  EventLoop& loop_;
  const BrokerConfig& config_;
  std::function<std::optional<Target>()> controller_;
  std::function<int64_t()> broker_epoch_;
  std::function<void(bool)> done_;
  int attempts_left_ = 0;
  std::unique_ptr<OutboundConnection> connection_;
  std::unique_ptr<Timer> timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gregor::broker
