// ControlledShutdownClient: ControlledShutdown requests to the controller with Kafka's retries and backoff.
#include "broker/controller/controlled_shutdown_client.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "broker/logging.h"
#include "controller.pb.h"
#include "protocol/error_code.h"

namespace gregor::broker {

ControlledShutdownClient::ControlledShutdownClient(EventLoop& loop, const BrokerConfig& config,
                                                   std::function<std::optional<Target>()> controller,
                                                   std::function<int64_t()> broker_epoch)
    : loop_(loop),
      config_(config),
      controller_(std::move(controller)),
      broker_epoch_(std::move(broker_epoch)) {}

ControlledShutdownClient::~ControlledShutdownClient() { *alive_ = false; }

void ControlledShutdownClient::run(std::function<void(bool)> done) {
  done_ = std::move(done);
  attempts_left_ = std::max(config_.controlled_shutdown_max_retries, 1);
  attempt();
}

void ControlledShutdownClient::attempt() {
  --attempts_left_;
  auto target = controller_();
  if (!target) return failed("the controller is unknown");
  logger("broker")->info("controlled shutdown: asking controller {} at {}:{}", target->controller_id,
                         target->host, target->port);
  connection_ = std::make_unique<OutboundConnection>(loop_.base(), target->host, target->port,
                                                     "broker-" + std::to_string(config_.broker_id),
                                                     std::chrono::milliseconds(config_.request_timeout_ms));
  proto::ControlledShutdownRequest req;
  req.set_broker_id(config_.broker_id);
  req.set_broker_epoch(broker_epoch_());
  auto alive = alive_;
  connection_->send_control(
      ApiKey::ControlledShutdown, req.SerializeAsString(),
      [this, alive](Result<std::span<const uint8_t>, std::string> r) {
        if (!*alive) return;
        if (!r) return failed(r.error());
        proto::ControlledShutdownResponse resp;
        if (!resp.ParseFromArray(r->data(), static_cast<int>(r->size()))) {
          return failed("malformed ControlledShutdown response");
        }
        if (resp.error_code() != 0) {
          return failed(std::string(to_string(static_cast<ErrorCode>(resp.error_code()))));
        }
        if (resp.remaining_partitions_size() > 0) {
          std::vector<std::string> names;
          for (auto& tp : resp.remaining_partitions()) {
            names.push_back(tp.topic() + "-" + std::to_string(tp.partition()));
          }
          return failed(fmt::format("remaining partitions to move: {}", fmt::join(names, ",")));
        }
        logger("broker")->info("controlled shutdown succeeded");
        // Finish from a fresh loop turn: done_ may destroy this object and its connection.
        loop_.post([this, alive] {
          if (*alive) done_(true);
        });
      });
}

void ControlledShutdownClient::failed(const std::string& why) {
  if (attempts_left_ <= 0) {
    logger("broker")->warn("controlled shutdown failed ({}); shutting down anyway", why);
    auto alive = alive_;
    loop_.post([this, alive] {
      if (*alive) done_(false);
    });
    return;
  }
  logger("broker")->warn("controlled shutdown attempt failed ({}); retrying in {} ms ({} attempts left)", why,
                         config_.controlled_shutdown_retry_backoff_ms, attempts_left_);
  timer_ = loop_.run_after(std::chrono::milliseconds(config_.controlled_shutdown_retry_backoff_ms), [this] {
    connection_.reset();
    attempt();
  });
}

}  // namespace gregor::broker
