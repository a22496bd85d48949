// Session: the ZooKeeper C client (zookeeper_st) driven by a libevent loop; results are copied onto the loop.
#include "zk/session.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <spdlog/spdlog.h>
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "zk/logger.h"

namespace gregor::zk {
namespace {

// The C client filters by its own global level before formatting; derive it from the "zk" logger so the
// default (info) stays quiet: only the client's warnings and errors get through.
ZooLogLevel client_log_level() {
  auto level = logger()->level();
  if (level <= spdlog::level::trace) return ZOO_LOG_LEVEL_DEBUG;
  if (level <= spdlog::level::debug) return ZOO_LOG_LEVEL_INFO;
  return ZOO_LOG_LEVEL_WARN;
}

void log_from_client(const char* message) {
  std::string_view text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  // One step quieter than the client's own levels: its "errors" are mostly connection attempts that the
  // session retries by itself (state changes are logged by Session at info).
  auto level = spdlog::level::debug;
  if (text.find("ZOO_ERROR") != std::string_view::npos) {
    level = spdlog::level::warn;
  } else if (text.find("ZOO_WARN") != std::string_view::npos) {
    level = spdlog::level::info;
  }
  logger()->log(level, "{}", text);
}

Stat to_stat(const struct ::Stat* s) {
  if (s == nullptr) return {};
  return Stat{s->czxid,   s->mzxid,    s->ctime,          s->mtime,
              s->version, s->cversion, s->ephemeralOwner, s->numChildren};
}

int create_flags(CreateMode mode) {
  switch (mode) {
    case CreateMode::persistent:
      return ZOO_PERSISTENT;
    case CreateMode::ephemeral:
      return ZOO_EPHEMERAL;
    case CreateMode::persistent_sequential:
      return ZOO_PERSISTENT_SEQUENTIAL;
    case CreateMode::ephemeral_sequential:
      return ZOO_EPHEMERAL_SEQUENTIAL;
  }
  return ZOO_PERSISTENT;
}

SessionState from_zoo_state(int state) {
  if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE) return SessionState::connected;
  if (state == ZOO_EXPIRED_SESSION_STATE) return SessionState::expired;
  if (state == ZOO_AUTH_FAILED_STATE) return SessionState::auth_failed;
  return SessionState::connecting;
}

WatchEvent from_zoo_event(int type) {
  if (type == ZOO_CREATED_EVENT) return WatchEvent::created;
  if (type == ZOO_DELETED_EVENT) return WatchEvent::deleted;
  if (type == ZOO_CHANGED_EVENT) return WatchEvent::changed;
  if (type == ZOO_CHILD_EVENT) return WatchEvent::child;
  if (type == ZOO_SESSION_EVENT) return WatchEvent::session;
  return WatchEvent::not_watching;
}

// Empty data is written as a null value (length -1), as Kafka does for its structural znodes.
const char* data_ptr(const std::string& data) { return data.empty() ? nullptr : data.data(); }
int data_len(const std::string& data) { return data.empty() ? -1 : static_cast<int>(data.size()); }

std::string child_path(const std::string& parent, const std::string& child) {
  return parent == "/" ? "/" + child : parent + "/" + child;
}

std::string parent_path(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

// Waits for n asynchronous steps and reports the first error (or ok).
struct Join {
  size_t left;
  ZkError first = ZkError::ok;
  std::function<void(ZkError)> done;
  void arrive(ZkError e) {
    if (first == ZkError::ok && e != ZkError::ok) first = e;
    if (--left == 0) done(first);
  }
};

}  // namespace

std::string_view to_string(SessionState state) {
  switch (state) {
    case SessionState::connecting:
      return "connecting";
    case SessionState::connected:
      return "connected";
    case SessionState::expired:
      return "expired";
    case SessionState::auth_failed:
      return "auth_failed";
    case SessionState::closed:
      return "closed";
  }
  return "unknown";
}

std::string_view to_string(WatchEvent event) {
  switch (event) {
    case WatchEvent::created:
      return "created";
    case WatchEvent::deleted:
      return "deleted";
    case WatchEvent::changed:
      return "changed";
    case WatchEvent::child:
      return "child";
    case WatchEvent::session:
      return "session";
    case WatchEvent::not_watching:
      return "not_watching";
  }
  return "unknown";
}

// ---- pending calls -----------------------------------------------------------------------------------

struct Session::WatchEntry {
  Session* session;
  Watcher watcher;
};

struct Session::Pending {
  Session* session = nullptr;
  WatchEntry* watch = nullptr;
  virtual ~Pending() = default;
  // The callback invocation for a call that failed before reaching ZooKeeper (or was cut by close).
  virtual std::function<void()> failure(ZkError e) = 0;
};

namespace {

struct CreatePending : Session::Pending {
  std::function<void(ZkError, std::string, Stat)> done;
  std::function<void()> failure(ZkError e) override {
    return [d = std::move(done), e] { d(e, {}, {}); };
  }
};

struct DataPending : Session::Pending {
  std::function<void(ZkError, std::string, Stat)> done;
  std::function<void()> failure(ZkError e) override {
    return [d = std::move(done), e] { d(e, {}, {}); };
  }
};

struct StatPending : Session::Pending {
  bool watch_on_no_node = false;  // exists(): a watch is registered even when the node is missing
  std::function<void(ZkError, Stat)> done;
  std::function<void()> failure(ZkError e) override {
    return [d = std::move(done), e] { d(e, {}); };
  }
};

struct ChildrenPending : Session::Pending {
  std::function<void(ZkError, std::vector<std::string>)> done;
  std::function<void()> failure(ZkError e) override {
    return [d = std::move(done), e] { d(e, {}); };
  }
};

struct VoidPending : Session::Pending {
  std::function<void(ZkError)> done;
  std::function<void()> failure(ZkError e) override {
    return [d = std::move(done), e] { d(e); };
  }
};

// zoo_amulti writes results, created paths and set Stats into caller memory at completion time,
// so all of it lives here, at stable addresses, until then.
struct MultiPending : Session::Pending {
  std::vector<Session::Op> ops;
  std::vector<zoo_op_t> zoo_ops;
  std::vector<zoo_op_result_t> results;
  std::vector<struct ::Stat> stats;
  std::vector<std::vector<char>> path_buffers;
  std::function<void(ZkError, std::vector<Session::OpResult>)> done;

  std::function<void()> failure(ZkError e) override {
    std::vector<Session::OpResult> per_op(ops.size(), Session::OpResult{e, {}, {}});
    return [d = std::move(done), e, per_op = std::move(per_op)] { d(e, per_op); };
  }

  int issue(zhandle_t* zh);  // after Callbacks (needs multi_done)
};

}  // namespace

// ---- C trampolines -----------------------------------------------------------------------------------

struct Session::Callbacks {
  static void on_io(evutil_socket_t, short what, void* arg) {
    auto* s = static_cast<Session*>(arg);
    int events = 0;
    if (what & EV_READ) events |= ZOOKEEPER_READ;
    if (what & EV_WRITE) events |= ZOOKEEPER_WRITE;
    s->in_process_ = true;
    int rc = zookeeper_process(s->zh_.get(), events);
    s->in_process_ = false;
    if (rc != ZOK && rc != ZNOTHING) logger()->debug("zookeeper_process: {}", zerror(rc));
    s->rearm();
    s->drain();  // last: a callback may destroy the session
  }

  static void on_ready(evutil_socket_t, short, void* arg) { static_cast<Session*>(arg)->drain(); }

  static void on_retry(evutil_socket_t, short, void* arg) { static_cast<Session*>(arg)->start(); }

  static void log(const char* message) { log_from_client(message); }

  static void global_watcher(zhandle_t* zh, int type, int state, const char*, void* ctx) {
    if (type != ZOO_SESSION_EVENT) return;  // path events go to per-call watchers
    auto* s = static_cast<Session*>(ctx);
    if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE) {
      const clientid_t* id = zoo_client_id(zh);
      s->credentials_ = Credentials{id->client_id, std::string(id->passwd, sizeof(id->passwd))};
    }
    s->set_state(from_zoo_state(state));
  }

  static void path_watcher(zhandle_t*, int type, int, const char* path, void* ctx) {
    // The C client also copies session events to every path watcher; the session's owner learns those
    // through on_state_change, and the watch itself stays armed across reconnects.
    if (type == ZOO_SESSION_EVENT) return;
    auto* entry = static_cast<WatchEntry*>(ctx);
    Session* s = entry->session;
    auto it = s->watches_.find(entry);
    if (it == s->watches_.end()) return;
    Watcher watcher = std::move(it->second->watcher);
    s->watches_.erase(it);
    s->push_ready(
        [w = std::move(watcher), e = from_zoo_event(type), p = std::string(path ? path : "")] { w(e, p); });
  }

  template <class P>
  static std::unique_ptr<P> take(const void* data) {
    return std::unique_ptr<P>(static_cast<P*>(const_cast<void*>(data)));
  }

  static void created(int rc, const char* path, const struct ::Stat* stat, const void* data) {
    auto p = take<CreatePending>(data);
    std::string created = (rc == ZOK && path != nullptr) ? path : "";
    Stat st = rc == ZOK ? to_stat(stat) : Stat{};
    p->session->push_ready([d = std::move(p->done), e = from_zoo_code(rc), created = std::move(created), st] {
      d(e, created, st);
    });
  }

  static void got(int rc, const char* value, int len, const struct ::Stat* stat, const void* data) {
    auto p = take<DataPending>(data);
    if (rc != ZOK && p->watch) p->session->drop_watch(p->watch);  // not registered by the client
    std::string bytes = (rc == ZOK && value != nullptr && len > 0) ? std::string(value, len) : std::string();
    Stat st = rc == ZOK ? to_stat(stat) : Stat{};
    p->session->push_ready(
        [d = std::move(p->done), e = from_zoo_code(rc), bytes = std::move(bytes), st] { d(e, bytes, st); });
  }

  static void stat_done(int rc, const struct ::Stat* stat, const void* data) {
    auto p = take<StatPending>(data);
    bool registered = rc == ZOK || (rc == ZNONODE && p->watch_on_no_node);
    if (!registered && p->watch) p->session->drop_watch(p->watch);
    Stat st = rc == ZOK ? to_stat(stat) : Stat{};
    p->session->push_ready([d = std::move(p->done), e = from_zoo_code(rc), st] { d(e, st); });
  }

  static void children(int rc, const struct String_vector* strings, const void* data) {
    auto p = take<ChildrenPending>(data);
    if (rc != ZOK && p->watch) p->session->drop_watch(p->watch);
    std::vector<std::string> names;
    if (rc == ZOK && strings != nullptr) {
      for (int i = 0; i < strings->count; ++i) names.emplace_back(strings->data[i]);
    }
    p->session->push_ready(
        [d = std::move(p->done), e = from_zoo_code(rc), names = std::move(names)] { d(e, names); });
  }

  static void removed(int rc, const void* data) {
    auto p = take<VoidPending>(data);
    p->session->push_ready([d = std::move(p->done), e = from_zoo_code(rc)] { d(e); });
  }

  static void multi_done(int rc, const void* data) {
    auto p = take<MultiPending>(data);
    std::vector<OpResult> per_op(p->ops.size());
    for (size_t i = 0; i < per_op.size(); ++i) {
      per_op[i].error = rc == ZCLOSING || rc == ZCONNECTIONLOSS || rc == ZSESSIONEXPIRED
                            ? from_zoo_code(rc)
                            : from_zoo_code(p->results[i].err);
      if (per_op[i].error != ZkError::ok) continue;
      if (p->ops[i].type == Op::Type::create) per_op[i].path = p->path_buffers[i].data();
      if (p->ops[i].type == Op::Type::set) per_op[i].stat = to_stat(&p->stats[i]);
    }
    p->session->push_ready(
        [d = std::move(p->done), e = from_zoo_code(rc), per_op = std::move(per_op)] { d(e, per_op); });
  }
};

namespace {

int MultiPending::issue(zhandle_t* zh) {
  size_t n = ops.size();
  zoo_ops.resize(n);
  results.assign(n, zoo_op_result_t{});
  stats.assign(n, ::Stat{});
  path_buffers.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    const auto& op = ops[i];
    switch (op.type) {
      case Session::Op::Type::create:
        path_buffers[i].assign(op.path.size() + 64, '\0');
        zoo_create_op_init(&zoo_ops[i], op.path.c_str(), data_ptr(op.data), data_len(op.data),
                           &ZOO_OPEN_ACL_UNSAFE, create_flags(op.mode), path_buffers[i].data(),
                           static_cast<int>(path_buffers[i].size()));
        break;
      case Session::Op::Type::set:
        zoo_set_op_init(&zoo_ops[i], op.path.c_str(), data_ptr(op.data), data_len(op.data), op.version,
                        &stats[i]);
        break;
      case Session::Op::Type::remove:
        zoo_delete_op_init(&zoo_ops[i], op.path.c_str(), op.version);
        break;
      case Session::Op::Type::check:
        zoo_check_op_init(&zoo_ops[i], op.path.c_str(), op.version);
        break;
    }
  }
  return zoo_amulti(zh, static_cast<int>(n), zoo_ops.data(), results.data(), Session::Callbacks::multi_done,
                    this);
}

}  // namespace

// ---- Session -----------------------------------------------------------------------------------------

Session::Op Session::Op::create(std::string path, std::string data, CreateMode mode) {
  return Op{Type::create, std::move(path), std::move(data), mode, -1};
}
Session::Op Session::Op::set(std::string path, std::string data, int32_t version) {
  return Op{Type::set, std::move(path), std::move(data), CreateMode::persistent, version};
}
Session::Op Session::Op::remove(std::string path, int32_t version) {
  return Op{Type::remove, std::move(path), {}, CreateMode::persistent, version};
}
Session::Op Session::Op::check(std::string path, int32_t version) {
  return Op{Type::check, std::move(path), {}, CreateMode::persistent, version};
}

void Session::HandleCloser::operator()(_zhandle* zh) const { zookeeper_close(zh); }
void Session::EventFree::operator()(event* ev) const { event_free(ev); }

Session::Session(event_base* base, std::string connect_string, int session_timeout_ms,
                 std::function<void(SessionState)> on_state_change, std::optional<Credentials> attach)
    : base_(base),
      connect_string_(std::move(connect_string)),
      session_timeout_ms_(session_timeout_ms),
      on_state_change_(std::move(on_state_change)),
      attach_(std::move(attach)) {
  io_ev_.reset(event_new(base_, -1, 0, Callbacks::on_io, this));
  ready_ev_.reset(event_new(base_, -1, 0, Callbacks::on_ready, this));
  retry_ev_.reset(evtimer_new(base_, Callbacks::on_retry, this));
  auto slash = connect_string_.find('/');
  hosts_ = connect_string_.substr(0, slash);
  if (slash != std::string::npos) chroot_ = connect_string_.substr(slash);
  while (chroot_.size() > 1 && chroot_.back() == '/') chroot_.pop_back();
  if (chroot_ == "/") chroot_.clear();
  start();
}

Session::~Session() {
  close();
  *alive_ = false;
}

int Session::negotiated_timeout_ms() const {
  return zh_ && state_ == SessionState::connected ? zoo_recv_timeout(zh_.get()) : 0;
}

void Session::start() {
  if (chroot_.empty() || zh_) {
    open_handle();
    return;
  }
  bootstrap_ = std::make_unique<Session>(base_, hosts_, session_timeout_ms_, nullptr);
  bootstrap_->create_recursive(chroot_, "", [this](ZkError e) { on_chroot_ready(e); });
}

void Session::on_chroot_ready(ZkError error) {
  if (closed_) return;
  bootstrap_.reset();  // safe: its drain loop stops once it is gone
  if (error != ZkError::ok && error != ZkError::node_exists) {
    logger()->warn("creating chroot {} failed: {}; retrying", chroot_, to_string(error));
    retry_later();
    return;
  }
  logger()->debug("chroot {} ready", chroot_);
  open_handle();
}

void Session::retry_later() {
  timeval tv{1, 0};
  evtimer_add(retry_ev_.get(), &tv);
}

void Session::open_handle() {
  clientid_t id{};
  if (attach_) {
    id.client_id = attach_->session_id;
    std::memcpy(id.passwd, attach_->password.data(), std::min(attach_->password.size(), sizeof(id.passwd)));
  }
  zoo_set_debug_level(client_log_level());
  zh_.reset(zookeeper_init2(connect_string_.c_str(), Callbacks::global_watcher, session_timeout_ms_,
                            attach_ ? &id : nullptr, this, 0, Callbacks::log));
  if (!zh_) {
    logger()->warn("zookeeper_init({}) failed: {}; retrying", connect_string_, std::strerror(errno));
    retry_later();
    return;
  }
  rearm();
  while (!waiting_.empty()) {
    auto [pending, call] = std::move(waiting_.front());
    waiting_.pop_front();
    issue(std::move(pending), call);
  }
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  event_del(io_ev_.get());
  event_del(retry_ev_.get());
  bootstrap_.reset();
  zh_.reset();  // zookeeper_close completes every pending call with ZCLOSING (queued on ready_)
  while (!waiting_.empty()) {
    auto [pending, call] = std::move(waiting_.front());
    waiting_.pop_front();
    issue(std::move(pending), call);
  }
  watches_.clear();
  state_ = SessionState::closed;
  drain();
}

void Session::submit(std::unique_ptr<Pending> pending, Call call) {
  pending->session = this;
  if (!closed_ && !zh_) {
    waiting_.emplace_back(std::move(pending), std::move(call));
    return;
  }
  issue(std::move(pending), call);
}

void Session::issue(std::unique_ptr<Pending> pending, const Call& call) {
  int rc = closed_ || !zh_ ? ZCLOSING : call(zh_.get(), pending.get());
  if (rc != ZOK) {
    ZkError e = from_zoo_code(rc);
    if (e == ZkError::invalid_state && state_ == SessionState::expired) e = ZkError::session_expired;
    if (pending->watch) drop_watch(pending->watch);
    push_ready(pending->failure(e));
    return;
  }
  pending.release();  // owned by the C client until its completion runs
  rearm();
}

Session::WatchEntry* Session::add_watch(Watcher watcher) {
  if (!watcher) return nullptr;
  auto entry = std::make_unique<WatchEntry>(WatchEntry{this, std::move(watcher)});
  auto* raw = entry.get();
  watches_.emplace(raw, std::move(entry));
  return raw;
}

void Session::drop_watch(WatchEntry* entry) { watches_.erase(entry); }

void Session::push_ready(std::function<void()> fn) {
  ready_.push_back(std::move(fn));
  if (!closed_) event_active(ready_ev_.get(), EV_TIMEOUT, 0);
}

void Session::drain() {
  auto alive = alive_;
  while (!ready_.empty()) {
    auto fn = std::move(ready_.front());
    ready_.pop_front();
    fn();
    if (!*alive) return;
  }
}

void Session::set_state(SessionState s) {
  if (s == state_ || closed_) return;
  state_ = s;
  logger()->info("session 0x{:x} {}", credentials_.session_id, to_string(s));
  push_ready([this, s] {
    if (on_state_change_) on_state_change_(s);
  });
}

void Session::rearm() {
  if (in_process_ || closed_ || !zh_) return;
  event_del(io_ev_.get());
  if (is_unrecoverable(zh_.get()) == ZINVALIDSTATE) return;  // expired/auth failed: nothing to drive
  int fd = -1;
  int interest = 0;
  timeval tv{};
  int rc = zookeeper_interest(zh_.get(), &fd, &interest, &tv);
  if (rc == ZINVALIDSTATE) return;
  short what = 0;
  if (fd >= 0 && (interest & ZOOKEEPER_READ)) what |= EV_READ;
  if (fd >= 0 && (interest & ZOOKEEPER_WRITE)) what |= EV_WRITE;
  if (rc != ZOK && tv.tv_sec == 0 && tv.tv_usec == 0) tv.tv_usec = 50 * 1000;  // no spinning while failing
  event_assign(io_ev_.get(), base_, what ? fd : -1, what, Callbacks::on_io, this);
  event_add(io_ev_.get(), &tv);
}

// ---- operations --------------------------------------------------------------------------------------

void Session::create(const std::string& path, std::string data, CreateMode mode,
                     std::function<void(ZkError, std::string, Stat)> done) {
  auto p = std::make_unique<CreatePending>();
  p->done = std::move(done);
  submit(std::move(p), [path, data = std::move(data), mode](zhandle_t* zh, Pending* p) {
    return zoo_acreate2(zh, path.c_str(), data_ptr(data), data_len(data), &ZOO_OPEN_ACL_UNSAFE,
                        create_flags(mode), Callbacks::created, p);
  });
}

void Session::get(const std::string& path, Watcher watcher,
                  std::function<void(ZkError, std::string, Stat)> done) {
  auto p = std::make_unique<DataPending>();
  p->done = std::move(done);
  p->watch = add_watch(std::move(watcher));
  submit(std::move(p), [path](zhandle_t* zh, Pending* p) {
    return zoo_awget(zh, path.c_str(), p->watch ? Callbacks::path_watcher : nullptr, p->watch, Callbacks::got,
                     p);
  });
}

void Session::exists(const std::string& path, Watcher watcher, std::function<void(ZkError, Stat)> done) {
  auto p = std::make_unique<StatPending>();
  p->done = std::move(done);
  p->watch = add_watch(std::move(watcher));
  p->watch_on_no_node = true;
  submit(std::move(p), [path](zhandle_t* zh, Pending* p) {
    return zoo_awexists(zh, path.c_str(), p->watch ? Callbacks::path_watcher : nullptr, p->watch,
                        Callbacks::stat_done, p);
  });
}

void Session::get_children(const std::string& path, Watcher watcher,
                           std::function<void(ZkError, std::vector<std::string>)> done) {
  auto p = std::make_unique<ChildrenPending>();
  p->done = std::move(done);
  p->watch = add_watch(std::move(watcher));
  submit(std::move(p), [path](zhandle_t* zh, Pending* p) {
    return zoo_awget_children(zh, path.c_str(), p->watch ? Callbacks::path_watcher : nullptr, p->watch,
                              Callbacks::children, p);
  });
}

void Session::set(const std::string& path, std::string data, int32_t version,
                  std::function<void(ZkError, Stat)> done) {
  auto p = std::make_unique<StatPending>();
  p->done = std::move(done);
  submit(std::move(p), [path, data = std::move(data), version](zhandle_t* zh, Pending* p) {
    return zoo_aset(zh, path.c_str(), data_ptr(data), data_len(data), version, Callbacks::stat_done, p);
  });
}

void Session::remove(const std::string& path, int32_t version, std::function<void(ZkError)> done) {
  auto p = std::make_unique<VoidPending>();
  p->done = std::move(done);
  submit(std::move(p), [path, version](zhandle_t* zh, Pending* p) {
    return zoo_adelete(zh, path.c_str(), version, Callbacks::removed, p);
  });
}

void Session::multi_results(std::vector<Op> ops, std::function<void(ZkError, std::vector<OpResult>)> done) {
  if (ops.empty()) {
    push_ready([d = std::move(done)] { d(ZkError::ok, {}); });
    return;
  }
  auto p = std::make_unique<MultiPending>();
  p->ops = std::move(ops);
  p->done = std::move(done);
  submit(std::move(p), [](zhandle_t* zh, Pending* p) { return static_cast<MultiPending*>(p)->issue(zh); });
}

void Session::multi(std::vector<Op> ops, std::function<void(ZkError, std::vector<ZkError>)> done) {
  multi_results(std::move(ops), [d = std::move(done)](ZkError e, std::vector<OpResult> results) {
    std::vector<ZkError> per_op;
    per_op.reserve(results.size());
    for (const auto& r : results) per_op.push_back(r.error);
    d(e, std::move(per_op));
  });
}

void Session::create_recursive(const std::string& path, std::string data, std::function<void(ZkError)> done) {
  create(path, data, CreateMode::persistent,
         [this, path, data, done = std::move(done)](ZkError e, std::string, Stat) mutable {
           if (e != ZkError::no_node) return done(e);
           create_parents(parent_path(path), [this, path, data, done = std::move(done)](ZkError pe) mutable {
             if (pe != ZkError::ok) return done(pe);
             create(path, std::move(data), CreateMode::persistent,
                    [done = std::move(done)](ZkError e2, std::string, Stat) { done(e2); });
           });
         });
}

void Session::create_parents(const std::string& path, std::function<void(ZkError)> done) {
  if (path == "/") return done(ZkError::ok);
  create(path, {}, CreateMode::persistent,
         [this, path, done = std::move(done)](ZkError e, std::string, Stat) mutable {
           if (e == ZkError::ok || e == ZkError::node_exists) return done(ZkError::ok);
           if (e != ZkError::no_node) return done(e);
           create_parents(parent_path(path), [this, path, done = std::move(done)](ZkError pe) mutable {
             if (pe != ZkError::ok) return done(pe);
             create(path, {}, CreateMode::persistent,
                    [done = std::move(done)](ZkError e2, std::string, Stat) {
                      done(e2 == ZkError::node_exists ? ZkError::ok : e2);
                    });
           });
         });
}

void Session::remove_recursive(const std::string& path, std::function<void(ZkError)> done) {
  get_children(
      path, {}, [this, path, done = std::move(done)](ZkError e, std::vector<std::string> children) mutable {
        if (e != ZkError::ok) return done(e);
        auto remove_self = [this, path, done = std::move(done)](ZkError ce) mutable {
          if (ce != ZkError::ok) return done(ce);
          remove(path, -1, std::move(done));
        };
        if (children.empty()) return remove_self(ZkError::ok);
        auto join = std::make_shared<Join>(Join{children.size(), ZkError::ok, std::move(remove_self)});
        for (const auto& child : children) {
          remove_recursive(child_path(path, child), [join](ZkError ce) {
            join->arrive(ce == ZkError::no_node ? ZkError::ok : ce);  // removed meanwhile: fine
          });
        }
      });
}

// ---- start-up helper ---------------------------------------------------------------------------------

bool run_until(event_base* base, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_ptr<event, void (*)(event*)> timer(evtimer_new(
                                                     base, [](evutil_socket_t, short, void*) {}, nullptr),
                                                 event_free);
  while (!done()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count();
    timeval tv{static_cast<time_t>(left / 1000000), static_cast<suseconds_t>(left % 1000000)};
    evtimer_add(timer.get(), &tv);
    event_base_loop(base, EVLOOP_ONCE);
  }
  return true;
}

}  // namespace gregor::zk
