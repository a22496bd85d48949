// Finds or creates the "log" spdlog logger.
#include "log/logger.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace gregor::log {

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("log")) return existing;
    try {
      return spdlog::stderr_color_mt("log");
    } catch (const spdlog::spdlog_ex&) {
      return spdlog::get("log");  // registered concurrently by the owner
    }
  }();
  return *instance;
}

}  // namespace gregor::log
