// Session: one ZooKeeper session (zookeeper_st handle) driven by the broker's libevent loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "zk/types.h"
#include "zk/zk_error.h"

struct event_base;
struct event;
struct _zhandle;

namespace gregor::zk {

// Owns the C client's handle and drives it from `base` (zookeeper_interest → event → zookeeper_process),
// so every completion, watch and state change runs on the loop thread. Callbacks are never invoked from
// inside a Session call (a failed submission is reported on a later loop turn), and a callback may
// destroy the Session.
//
// Lifecycle: starts `connecting` and stays there while ZooKeeper is unreachable (the owner applies
// zookeeper.connection.timeout.ms). A lost connection reports `connecting` again; the session and its
// ephemerals may still be alive and the C client re-installs watches when it reconnects. `expired` is
// final: the handle is dead, every later call fails with session_expired, and the owner must destroy
// this object and construct a new Session (then re-register ephemerals and re-arm watches).
// Destroying (or close()) completes every pending call with `closing`; path watchers are then dropped
// unfired.
//
// Data: an empty std::string is written as a null znode value (what Kafka writes for its "null" nodes);
// null values read back as "".
class Session {
 public:
  // One operation of an atomic multi.
  struct Op {
    enum class Type { create, set, remove, check };
    Type type = Type::check;
    std::string path;
    std::string data;
    CreateMode mode = CreateMode::persistent;
    int32_t version = -1;

    static Op create(std::string path, std::string data, CreateMode mode = CreateMode::persistent);
    static Op set(std::string path, std::string data, int32_t version);
    static Op remove(std::string path, int32_t version);
    static Op check(std::string path, int32_t version);
  };
  // Per-op outcome: error, the created path (create), the new Stat (set).
  struct OpResult {
    ZkError error = ZkError::ok;
    std::string path;
    Stat stat;
  };
  // Session id and password, to re-attach to a live session (tests use this to expire a session).
  struct Credentials {
    int64_t session_id = 0;
    std::string password;
  };

  // connect_string may carry a chroot ("h:p,h2:p/chroot"); the chroot is created first if missing
  // (Kafka does this with a chroot-less session, §1.1). Calls made meanwhile are queued.
  Session(event_base* base, std::string connect_string, int session_timeout_ms,
          std::function<void(SessionState)> on_state_change, std::optional<Credentials> attach = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  SessionState state() const { return state_; }
  // 0 until the first connect.
  int64_t session_id() const { return credentials_.session_id; }
  Credentials credentials() const { return credentials_; }
  // Negotiated session timeout (0 until connected).
  int negotiated_timeout_ms() const;
  // Completes pending calls with `closing`, closes the session (its ephemerals go at once). Idempotent.
  void close();

  void create(const std::string& path, std::string data, CreateMode mode,
              std::function<void(ZkError, std::string created_path, Stat)> done);
  // Parents are created persistent with null data; NODEEXISTS of the leaf is reported.
  void create_recursive(const std::string& path, std::string data, std::function<void(ZkError)> done);
  void get(const std::string& path, Watcher watcher,
           std::function<void(ZkError, std::string data, Stat)> done);
  // A watch is also left when the node does not exist (fires on creation); done gets no_node then.
  void exists(const std::string& path, Watcher watcher, std::function<void(ZkError, Stat)> done);
  void get_children(const std::string& path, Watcher watcher,
                    std::function<void(ZkError, std::vector<std::string>)> done);
  void set(const std::string& path, std::string data, int32_t version,
           std::function<void(ZkError, Stat)> done);
  void remove(const std::string& path, int32_t version, std::function<void(ZkError)> done);
  // Children first; no_node only if `path` itself is missing.
  void remove_recursive(const std::string& path, std::function<void(ZkError)> done);
  // Atomic: all ops or none. The first failing op's error is the overall error.
  void multi(std::vector<Op> ops, std::function<void(ZkError, std::vector<ZkError> per_op)> done);
  // Same, with the created paths and the Stats of set ops (e.g. /controller_epoch's new zkVersion).
  void multi_results(std::vector<Op> ops, std::function<void(ZkError, std::vector<OpResult>)> done);

  struct Callbacks;  // C trampolines (session.cc)
  struct Pending;

 private:
  struct WatchEntry;
  struct HandleCloser {
    void operator()(_zhandle* zh) const;
  };
  struct EventFree {
    void operator()(event* ev) const;
  };
  using Call = std::function<int(_zhandle*, Pending*)>;

  void start();
  void open_handle();
  void retry_later();
  void on_chroot_ready(ZkError error);
  void submit(std::unique_ptr<Pending> pending, Call call);
  void issue(std::unique_ptr<Pending> pending, const Call& call);
  WatchEntry* add_watch(Watcher watcher);
  void drop_watch(WatchEntry* entry);
  void push_ready(std::function<void()> fn);
  void rearm();
  void drain();
  void set_state(SessionState s);
  void create_parents(const std::string& path, std::function<void(ZkError)> done);

  event_base* base_;
  std::string connect_string_;
  std::string hosts_;
  std::string chroot_;
  int session_timeout_ms_;
  std::function<void(SessionState)> on_state_change_;
  std::optional<Credentials> attach_;

  std::unique_ptr<_zhandle, HandleCloser> zh_;
  std::unique_ptr<event, EventFree> io_ev_;     // zookeeper_interest's fd/timeout
  std::unique_ptr<event, EventFree> ready_ev_;  // delivers queued callbacks on the next loop turn
  std::unique_ptr<event, EventFree> retry_ev_;  // re-runs start() after a failure to open
  std::unique_ptr<Session> bootstrap_;          // chroot-less session creating the chroot
  std::deque<std::pair<std::unique_ptr<Pending>, Call>> waiting_;  // calls made before the handle exists
  std::deque<std::function<void()>> ready_;
  std::unordered_map<WatchEntry*, std::unique_ptr<WatchEntry>> watches_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  SessionState state_ = SessionState::connecting;
  Credentials credentials_;
  bool closed_ = false;
  bool in_process_ = false;
};

// Start-up helper (before the loop runs): spins event_base_loop(EVLOOP_ONCE) until done() or timeout.
// Returns false on timeout.
bool run_until(event_base* base, const std::function<bool()>& done, std::chrono::milliseconds timeout);

}  // namespace gregor::zk
