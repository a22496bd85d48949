// DescribeConfigs handler: every topic-level config with its source; broker configs for this broker.
#include <memory>

#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "broker/topic_admin.h"
#include "protocol/messages/describe_configs.h"

namespace gregor::broker {
namespace {

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;

}  // namespace

void KafkaApis::handle_describe_configs(Request& req, Reader& body) {
  auto request = decode_body<DescribeConfigsRequest>(req, body);
  if (!request) return;
  // Topic overrides come from /config/topics/<t> (Kafka's ZkConfigRepository): read them first, then answer.
  auto shared = std::make_shared<DescribeConfigsRequest>(std::move(*request));
  auto overrides = std::make_shared<std::vector<std::map<std::string, std::string>>>(shared->resources.size());
  auto left = std::make_shared<size_t>(1);
  auto reply = req.reply_to();
  auto finish = [this, shared, overrides, left, reply] {
    if (--*left == 0) describe_configs(*shared, *overrides, reply);
  };
  for (size_t i = 0; i < shared->resources.size(); ++i) {
    auto& res = shared->resources[i];
    if (res.resource_type != kTopicResource || !metadata_.topic(res.resource_name)) continue;
    ++*left;
    admin_.fetch_topic_config(res.resource_name, [overrides, i, finish](std::map<std::string, std::string> c) {
      (*overrides)[i] = std::move(c);
      finish();
    });
  }
  finish();
}

void KafkaApis::describe_configs(const DescribeConfigsRequest& request,
                                 const std::vector<std::map<std::string, std::string>>& overrides,
                                 const Request::ReplyTo& reply) {
  DescribeConfigsResponse resp;
  for (size_t i = 0; i < request.resources.size(); ++i) {
    auto& res = request.resources[i];
    DescribeConfigsResponse::DescribeConfigsResult out;
    out.resource_type = res.resource_type;
    out.resource_name = res.resource_name;
    std::vector<ConfigEntry> entries;
    if (res.resource_type == kTopicResource) {
      const TopicInfo* topic = metadata_.topic(res.resource_name);
      if (!topic) {
        out.error_code = code(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
        out.error_message = "Topic " + res.resource_name + " does not exist";
      } else {
        entries = topic_configs_.describe(overrides[i]);
      }
    } else if (res.resource_type == kBrokerResource) {
      if (!res.resource_name.empty() && res.resource_name != std::to_string(config_.broker_id)) {
        out.error_code = code(ErrorCode::INVALID_REQUEST);
        out.error_message = "Unexpected broker id, expected " + std::to_string(config_.broker_id);
      } else {
        entries = topic_configs_.describe_broker();
      }
    } else {
      out.error_code = code(ErrorCode::INVALID_REQUEST);
      out.error_message = "Unsupported resource type " + std::to_string(res.resource_type);
    }
    for (auto& e : entries) {
      if (res.configuration_keys) {
        auto& keys = *res.configuration_keys;
        if (std::find(keys.begin(), keys.end(), e.name) == keys.end()) continue;
      }
      DescribeConfigsResponse::DescribeConfigsResourceResult c;
      c.name = e.name;
      c.value = e.value;
      c.config_source = static_cast<int8_t>(e.source);
      c.is_default = e.source == ConfigSource::default_config;
      c.config_type = static_cast<int8_t>(e.type);
      if (request.include_synonyms) c.synonyms.push_back({e.name, e.value, static_cast<int8_t>(e.source)});
      out.configs.push_back(std::move(c));
    }
    resp.results.push_back(std::move(out));
  }
  reply.respond(resp);
}

}  // namespace gregor::broker
