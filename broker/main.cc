// gregor-broker: loads server.properties (plus GREGOR_*/KAFKA_* environment overrides) and runs one broker.
#include <csignal>
#include <cstdio>

#include "broker/broker.h"
#include "broker/logging.h"

extern char** environ;

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::fprintf(stderr, "usage: gregor-broker <server.properties>\n"
                         "  Kafka's server.properties keys; any key can be overridden by an environment variable\n"
                         "  GREGOR_<KEY> or KAFKA_<KEY> (upper case, '.' -> '_', '_' -> '__', '-' -> '___').\n");
    return argc == 2 ? 0 : 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S,%e] %^%l%$ [%n] %v");
  if (const char* level = std::getenv("GREGOR_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));
  auto config = gregor::broker::BrokerConfig::load(argv[1], environ);
  if (!config) {
    gregor::logger("broker")->critical("invalid configuration: {}", config.error());
    return 1;
  }
  try {
    gregor::broker::Broker broker(std::move(*config));
    return broker.run();
  } catch (const std::exception& e) {
    gregor::logger("broker")->critical("fatal error: {}", e.what());
    return 1;
  }
}
