// AlterConfigs (key 33): replace a resource's whole set of dynamic configs (legacy, non-incremental).
#pragma once

#include "protocol/messages/message.h"

namespace gregor {

struct AlterConfigsRequest {
  struct AlterableConfig {
    std::string name;
    std::optional<std::string> value;

    template <class Io>
    void serde(Io& io) {
      io.field(name);
      io.field(value);
    }
    bool operator==(const AlterableConfig&) const = default;
  };
  struct AlterConfigsResource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<AlterableConfig> configs;

    template <class Io>
    void serde(Io& io) {
      io.field(resource_type);
      io.field(resource_name);
      io.field(configs);
    }
    bool operator==(const AlterConfigsResource&) const = default;
  };

  std::vector<AlterConfigsResource> resources;
  bool validate_only = false;

  template <class Io>
  void serde(Io& io) {
    io.field(resources);
    io.field(validate_only);
  }
  GREGOR_MESSAGE_API(AlterConfigsRequest, ApiKey::AlterConfigs);
};

struct AlterConfigsResponse {
  struct AlterConfigsResourceResponse {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;

    template <class Io>
    void serde(Io& io) {
      io.field(error_code);
      io.field(error_message);
      io.field(resource_type);
      io.field(resource_name);
    }
    bool operator==(const AlterConfigsResourceResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<AlterConfigsResourceResponse> responses;

  template <class Io>
  void serde(Io& io) {
    io.field(throttle_time_ms);
    io.field(responses);
  }
  GREGOR_MESSAGE_API(AlterConfigsResponse, ApiKey::AlterConfigs);
};

}  // namespace gregor
