// The storage engine's spdlog logger, named "log" (created on first use if the owner has not made one).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace gregor::log {

spdlog::logger& logger();

}  // namespace gregor::log
