// DescribeConfigs handler: every topic-level config with its source; broker configs for this broker.
#include "broker/handlers/handler_util.h"
#include "broker/kafka_apis.h"
#include "protocol/messages/describe_configs.h"

namespace gregor::broker {
namespace {

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;

}  // namespace

void KafkaApis::handle_describe_configs(Request& req, Reader& body) {
  auto request = decode_body<DescribeConfigsRequest>(req, body);
  if (!request) return;
  DescribeConfigsResponse resp;
  for (auto& res : request->resources) {
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
        entries = topic_configs_.describe(topic->config);
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
      if (request->include_synonyms) c.synonyms.push_back({e.name, e.value, static_cast<int8_t>(e.source)});
      out.configs.push_back(std::move(c));
    }
    resp.results.push_back(std::move(out));
  }
  req.respond(resp);
}

}  // namespace gregor::broker
