// Named spdlog loggers, one per part ("broker", "net", "log", "zk", "controller", "group").
#pragma once

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace gregor {

inline std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  if (auto l = spdlog::get(name)) return l;
  try {
    return spdlog::stderr_color_mt(name);
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get(name);  // registered concurrently by someone else
  }
}

}  // namespace gregor
