// The group coordinator's spdlog logger, named "group".
#pragma once

#include <spdlog/spdlog.h>

namespace gregor::coordinator {

spdlog::logger& logger();

}  // namespace gregor::coordinator
