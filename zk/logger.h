// The "zk" spdlog logger shared by zk/ (created from the default logger's sinks on first use).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace gregor::zk {

std::shared_ptr<spdlog::logger> logger();

}  // namespace gregor::zk
