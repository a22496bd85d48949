// DescribeConfigs (key 32): topic and broker configuration entries (protocol.md §5.6).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct DescribeConfigsRequest {
  struct DescribeConfigsResource {
    int8_t resource_type = 0;  // 2 topic, 4 broker, 8 broker logger
    std::string resource_name;
    std::optional<std::vector<std::string>> configuration_keys;  // null = all

    template <class Io>
    void serde(Io& io) {
      io.field(resource_type);
      io.field(resource_name);
      io.field(configuration_keys);
    }
    bool operator==(const DescribeConfigsResource&) const = default;
  };

  std::vector<DescribeConfigsResource> resources;
  bool include_synonyms = false;
  bool include_documentation = false;

  template <class Io>
  void serde(Io& io) {
    io.field(resources);
    io.field(include_synonyms, 1);
    io.field(include_documentation, 3);
  }
  GREGOR_MESSAGE_API(DescribeConfigsRequest, ApiKey::DescribeConfigs);
};

struct DescribeConfigsResponse {
  struct DescribeConfigsSynonym {
    std::string name;
    std::optional<std::string> value;
    int8_t source = 0;

    template <class Io>
    void serde(Io& io) {
      io.field(name, 1);
      io.field(value, 1);
      io.field(source, 1);
    }
    bool operator==(const DescribeConfigsSynonym&) const = default;
  };
  struct DescribeConfigsResourceResult {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    bool is_default = false;  // v0 only
    int8_t config_source = -1;
    bool is_sensitive = false;
    std::vector<DescribeConfigsSynonym> synonyms;
    int8_t config_type = 0;
    std::optional<std::string> documentation;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(value);
      io.field(read_only);
      io.field(is_default, 0, 0);
      io.field(config_source, 1);
      io.field(is_sensitive);
      io.field(synonyms, 1);
      io.field(config_type, 3);
      io.field(documentation, 3);
    }
    bool operator==(const DescribeConfigsResourceResult&) const = default;
  };
  struct DescribeConfigsResult {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<DescribeConfigsResourceResult> configs;

    template <class Io>
    void serde(Io& io) {
      io.field(error_code);
      io.field(error_message);
      io.field(resource_type);
      io.field(resource_name);
      io.field(configs);
    }
    bool operator==(const DescribeConfigsResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<DescribeConfigsResult> results;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms);
    io.field(results);
  }
  GREGOR_MESSAGE_API(DescribeConfigsResponse, ApiKey::DescribeConfigs);
};

}  // namespace gregor
