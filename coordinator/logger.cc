// Finds or creates the "group" spdlog logger.
#include "coordinator/logger.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <memory>

namespace gregor::coordinator {

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("group")) return existing;
    try {
      return spdlog::stderr_color_mt("group");
    } catch (const spdlog::spdlog_ex&) {
      return spdlog::get("group");  // registered concurrently by the broker
    }
  }();
  return *instance;
}

}  // namespace gregor::coordinator
