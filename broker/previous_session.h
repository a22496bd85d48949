// PreviousSession: the broker's ZooKeeper session id and password kept in its first log dir, so that the next
// process on the same log dirs can close a session its killed predecessor left open.
//
// Why: after kill -9 the old process's session, and with it /brokers/ids/<id> (and /controller), lives until
// zookeeper.session.timeout.ms passes; Kafka refuses to start meanwhile, gregor used to wait for it. The log
// dir lock (log/log_manager) proves that no process using these log dirs is still alive, so whoever holds it
// may end the previous session at once: ZooKeeper then removes its ephemerals exactly as expiry would.
#pragma once

#include <filesystem>
#include <optional>

#include "zk/session.h"

namespace gregor::broker::previous_session {

// Written (mode 0600, replaced atomically) whenever the broker registers with a new session.
void remember(const std::filesystem::path& log_dir, const zk::Session::Credentials& credentials);
// nullopt when there is no file or it is malformed (a malformed one is reported and ignored).
std::optional<zk::Session::Credentials> recall(const std::filesystem::path& log_dir);
// After a clean shutdown (the session is closed) or once the previous session has been ended.
void forget(const std::filesystem::path& log_dir);

}  // namespace gregor::broker::previous_session
