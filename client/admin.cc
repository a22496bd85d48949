// Admin: controller routing and the per-API request/response handling.
#include "client/admin.h"

#include "protocol/messages/alter_configs.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/incremental_alter_configs.h"

namespace gregor::client {

namespace {

constexpr int8_t kTopicResource = 2;

ClientError topic_error(int16_t code, const std::optional<std::string>& message, const std::string& topic) {
  std::string text = "topic '" + topic + "'";
  if (message && !message->empty()) text += ": " + *message;
  return make_error(static_cast<ErrorCode>(code), text);
}

}  // namespace

std::string config_source_name(int8_t source) {
  switch (source) {
    case 1:
      return "DYNAMIC_TOPIC_CONFIG";
    case 2:
      return "DYNAMIC_BROKER_CONFIG";
    case 3:
      return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case 4:
      return "STATIC_BROKER_CONFIG";
    case 5:
      return "DEFAULT_CONFIG";
    case 6:
      return "DYNAMIC_BROKER_LOGGER_CONFIG";
    case 7:
      return "CLIENT_METRICS_CONFIG";
    default:
      return "UNKNOWN";
  }
}

Result<std::unique_ptr<Admin>, ClientError> Admin::create(ClientConfig config) {
  auto client = KafkaClient::create(std::move(config));
  if (!client) return unexpected(client.error());
  return std::unique_ptr<Admin>(new Admin(std::move(*client)));
}

template <class Resp, class Req, class ErrorOf>
Result<Resp, ClientError> Admin::call_controller(const Req& req, ErrorOf error_of) {
  auto deadline = Clock::now() + client_->config().request_timeout;
  ClientError last = make_error(ErrorCode::NOT_CONTROLLER, "no controller known");
  while (Clock::now() < deadline) {
    int32_t controller = client_->metadata().controller_id;
    Connection* conn = controller >= 0 ? client_->connection(controller) : nullptr;
    if (conn == nullptr) {
      auto md = client_->refresh_metadata(std::vector<std::string>{}, false, deadline);
      if (!md) return unexpected(md.error());
      if ((*md)->controller_id < 0) client_->pause(client_->config().retry_backoff);
      continue;
    }
    auto resp = client_->call<Resp>(conn, req, deadline);
    if (!resp) {
      if (resp.error().code != ErrorCode::NETWORK_EXCEPTION) return resp;
      last = resp.error();
    } else if (error_of(*resp) == ErrorCode::NOT_CONTROLLER) {
      last = make_error(ErrorCode::NOT_CONTROLLER, "controller moved");
    } else {
      return resp;
    }
    client_->pause(client_->config().retry_backoff);
    (void)client_->refresh_metadata(std::vector<std::string>{}, false, deadline);
  }
  return unexpected(last);
}

Result<ClusterMetadata, ClientError> Admin::describe_cluster() {
  auto md = client_->refresh_metadata(std::nullopt, false, Clock::now() + client_->config().request_timeout);
  if (!md) return unexpected(md.error());
  return **md;
}

Result<std::vector<TopicInfo>, ClientError> Admin::describe_topics(const std::vector<std::string>& names) {
  auto md = client_->refresh_metadata(names, false, Clock::now() + client_->config().request_timeout);
  if (!md) return unexpected(md.error());
  std::vector<TopicInfo> out;
  for (const auto& name : names) {
    const TopicInfo* t = (*md)->topic(name);
    if (t == nullptr || t->error == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION) {
      return unexpected(
          make_error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist"));
    }
    out.push_back(*t);
  }
  return out;
}

Result<void, ClientError> Admin::create_topic(const NewTopic& topic, bool validate_only) {
  CreateTopicsRequest req;
  CreateTopicsRequest::CreatableTopic t;
  t.name = topic.name;
  t.num_partitions = topic.num_partitions;
  t.replication_factor = topic.replication_factor;
  for (const auto& [k, v] : topic.configs) t.configs.push_back({k, v});
  req.topics.push_back(std::move(t));
  req.timeout_ms = static_cast<int32_t>(client_->config().request_timeout.count());
  req.validate_only = validate_only;
  auto first_error = [](const CreateTopicsResponse& r) {
    return r.topics.empty() ? ErrorCode::NONE : static_cast<ErrorCode>(r.topics[0].error_code);
  };
  auto resp = call_controller<CreateTopicsResponse>(req, first_error);
  if (!resp) return unexpected(resp.error());
  for (const auto& r : resp->topics) {
    if (r.error_code != 0) return unexpected(topic_error(r.error_code, r.error_message, r.name));
  }
  return {};
}

Result<void, ClientError> Admin::delete_topic(const std::string& name) {
  DeleteTopicsRequest req;
  req.topic_names = {name};
  req.timeout_ms = static_cast<int32_t>(client_->config().request_timeout.count());
  auto first_error = [](const DeleteTopicsResponse& r) {
    return r.responses.empty() ? ErrorCode::NONE : static_cast<ErrorCode>(r.responses[0].error_code);
  };
  auto resp = call_controller<DeleteTopicsResponse>(req, first_error);
  if (!resp) return unexpected(resp.error());
  for (const auto& r : resp->responses) {
    if (r.error_code != 0) return unexpected(topic_error(r.error_code, std::nullopt, r.name));
  }
  return {};
}

Result<void, ClientError> Admin::create_partitions(const std::string& name, int32_t total) {
  CreatePartitionsRequest req;
  req.topics.push_back({name, total, std::nullopt});
  req.timeout_ms = static_cast<int32_t>(client_->config().request_timeout.count());
  auto first_error = [](const CreatePartitionsResponse& r) {
    return r.results.empty() ? ErrorCode::NONE : static_cast<ErrorCode>(r.results[0].error_code);
  };
  auto resp = call_controller<CreatePartitionsResponse>(req, first_error);
  if (!resp) return unexpected(resp.error());
  for (const auto& r : resp->results) {
    if (r.error_code != 0) return unexpected(topic_error(r.error_code, r.error_message, r.name));
  }
  return {};
}

Result<std::vector<ConfigEntry>, ClientError> Admin::describe_topic_configs(const std::string& name) {
  DescribeConfigsRequest req;
  req.resources.push_back({kTopicResource, name, std::nullopt});
  auto resp =
      client_->call_any<DescribeConfigsResponse>(req, Clock::now() + client_->config().request_timeout);
  if (!resp) return unexpected(resp.error());
  std::vector<ConfigEntry> out;
  for (const auto& r : resp->results) {
    if (r.error_code != 0) return unexpected(topic_error(r.error_code, r.error_message, r.resource_name));
    for (const auto& c : r.configs) {
      std::string source = c.config_source >= 0 ? config_source_name(c.config_source)
                                                : (c.is_default ? "DEFAULT_CONFIG" : "DYNAMIC_TOPIC_CONFIG");
      out.push_back({c.name, c.value, source, c.read_only, c.is_sensitive});
    }
  }
  return out;
}

Result<void, ClientError> Admin::alter_topic_configs(
    const std::string& name, const std::map<std::string, std::optional<std::string>>& changes) {
  IncrementalAlterConfigsRequest req;
  IncrementalAlterConfigsRequest::AlterConfigsResource res;
  res.resource_type = kTopicResource;
  res.resource_name = name;
  for (const auto& [k, v] : changes) res.configs.push_back({k, static_cast<int8_t>(v ? 0 : 1), v});
  req.resources.push_back(std::move(res));
  auto resp = client_->call_any<IncrementalAlterConfigsResponse>(
      req, Clock::now() + client_->config().request_timeout);
  if (!resp && resp.error().code == ErrorCode::UNSUPPORTED_VERSION)
    return alter_topic_configs_legacy(name, changes);
  if (!resp) return unexpected(resp.error());
  for (const auto& r : resp->responses) {
    if (r.error_code != 0) return unexpected(topic_error(r.error_code, r.error_message, r.resource_name));
  }
  return {};
}

Result<void, ClientError> Admin::alter_topic_configs_legacy(
    const std::string& name, const std::map<std::string, std::optional<std::string>>& changes) {
  // AlterConfigs replaces the topic's whole override set: start from the current overrides.
  auto current = describe_topic_configs(name);
  if (!current) return unexpected(current.error());
  std::map<std::string, std::string> overrides;
  for (const auto& e : *current) {
    if (e.source == "DYNAMIC_TOPIC_CONFIG" && e.value) overrides[e.name] = *e.value;
  }
  for (const auto& [k, v] : changes) {
    if (v) {
      overrides[k] = *v;
    } else {
      overrides.erase(k);
    }
  }
  AlterConfigsRequest req;
  AlterConfigsRequest::AlterConfigsResource res;
  res.resource_type = kTopicResource;
  res.resource_name = name;
  for (const auto& [k, v] : overrides) res.configs.push_back({k, v});
  req.resources.push_back(std::move(res));
  auto resp = client_->call_any<AlterConfigsResponse>(req, Clock::now() + client_->config().request_timeout);
  if (!resp) return unexpected(resp.error());
  for (const auto& r : resp->responses) {
    if (r.error_code != 0) return unexpected(topic_error(r.error_code, r.error_message, r.resource_name));
  }
  return {};
}

Result<void, ClientError> Admin::wait_for_topic(const std::string& name, bool exists,
                                                std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    auto md = client_->refresh_metadata(std::vector<std::string>{name}, false, deadline);
    if (md) {
      const TopicInfo* t = (*md)->topic(name);
      bool present = t != nullptr && t->error == ErrorCode::NONE && !t->partitions.empty();
      if (present && exists) {
        bool all_led = true;
        for (const auto& p : t->partitions)
          all_led = all_led && (*md)->leader_for(name, p.partition).has_value();
        if (all_led) return {};
      }
      if (!exists && (t == nullptr || t->error == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION)) return {};
    }
    if (Clock::now() >= deadline) {
      return unexpected(
          make_error(ErrorCode::REQUEST_TIMED_OUT,
                     "topic '" + name + (exists ? "' not ready" : "' still exists") + " in time"));
    }
    client_->pause(std::chrono::milliseconds(100));
  }
}

}  // namespace gregor::client
