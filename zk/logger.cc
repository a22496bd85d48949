// The "zk" spdlog logger: reuses a registered "zk" logger, else clones the default logger's sinks.
#include "zk/logger.h"

namespace gregor::zk {

std::shared_ptr<spdlog::logger> logger() {
  auto existing = spdlog::get("zk");
  if (existing) return existing;
  auto created = spdlog::default_logger()->clone("zk");
  try {
    spdlog::register_logger(created);
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get("zk");  // registered meanwhile by someone else
  }
  return created;
}

}  // namespace gregor::zk
