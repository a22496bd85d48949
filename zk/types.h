// Plain ZooKeeper vocabulary shared by zk/ and its users: Stat, create modes, session states, watches.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace gregor::zk {

// A znode's metadata (the parts Kafka uses: czxid = broker epoch, version = partition epoch).
struct Stat {
  int64_t czxid = 0, mzxid = 0, ctime = 0, mtime = 0;
  int32_t version = 0, cversion = 0;
  int64_t ephemeral_owner = 0;
  int32_t num_children = 0;
};

enum class CreateMode { persistent, ephemeral, persistent_sequential, ephemeral_sequential };

// connecting also covers "connection lost, session may still be alive" (ZOO_CONNECTING_STATE).
enum class SessionState { connecting, connected, expired, auth_failed, closed };

// session/not_watching are never delivered to path watchers (see Session); they exist for completeness.
enum class WatchEvent { created, deleted, changed, child, session, not_watching };

// One-shot: called at most once, on the loop thread; re-arm by reading again with a new watcher.
using Watcher = std::function<void(WatchEvent, const std::string& path)>;

std::string_view to_string(SessionState state);
std::string_view to_string(WatchEvent event);

}  // namespace gregor::zk
