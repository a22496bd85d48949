// Tests for Session against a real ZooKeeper server: CRUD, multi, watches, chroot, close, expiry.
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#include "zk/session.h"

#include <boost/test/unit_test.hpp>
#include <optional>
#include <thread>

#include "test/unit/zk/zk_server.h"

using namespace gregor::zk;
using namespace gregor::zk::test;
using namespace std::chrono_literals;

namespace {

constexpr int kSessionTimeoutMs = 4000;

struct Connected {
  Loop loop;
  std::vector<SessionState> states;
  std::unique_ptr<Session> session;

  explicit Connected(const std::string& chroot, std::optional<Session::Credentials> attach = {}) {
    session = std::make_unique<Session>(
        loop.base(), shared_server().connect_string() + chroot, kSessionTimeoutMs,
        [this](SessionState s) { states.push_back(s); }, attach);
    BOOST_TEST_REQUIRE(loop.run_until([&] { return session->state() == SessionState::connected; }));
  }
};

ZkError create(Connected& c, const std::string& path, std::string data,
               CreateMode mode = CreateMode::persistent) {
  return std::get<0>(wait<ZkError, std::string, Stat>(
      c.loop, [&](auto done) { c.session->create(path, std::move(data), mode, done); }));
}

std::tuple<ZkError, std::string, Stat> get(Connected& c, const std::string& path, Watcher w = {}) {
  return wait<ZkError, std::string, Stat>(c.loop, [&](auto done) { c.session->get(path, w, done); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session)

BOOST_AUTO_TEST_CASE(unreachable_server_reports_only_connecting_and_close_completes_with_closing) {
  Loop loop;
  std::vector<SessionState> states;
  std::optional<ZkError> result;
  {
    // A port nothing listens on: the client retries forever; the broker applies its own timeout.
    ZkServer* unused = nullptr;
    (void)unused;
    int fd_port = 1;  // privileged port 1 on loopback: connection refused
    Session session(loop.base(), "127.0.0.1:" + std::to_string(fd_port), kSessionTimeoutMs,
                    [&](SessionState s) { states.push_back(s); });
    BOOST_TEST((session.state() == SessionState::connecting));
    session.get("/x", {}, [&](ZkError e, std::string, Stat) { result = e; });
    loop.run_for(1500ms);
    BOOST_TEST((session.state() == SessionState::connecting));
    BOOST_TEST(states.empty());
    BOOST_TEST(session.session_id() == 0);
    // Requests that could not be sent fail with connection_loss, or with closing below.
  }
  BOOST_TEST_REQUIRE(result.has_value());
  BOOST_TEST((*result == ZkError::closing || *result == ZkError::connection_loss), to_string(*result));
  BOOST_TEST(states.empty());
}

BOOST_AUTO_TEST_CASE(create_get_set_remove_children) {
  Connected c(unique_chroot("crud"));
  BOOST_TEST(c.session->session_id() != 0);
  BOOST_TEST((c.states == std::vector<SessionState>{SessionState::connected}));

  BOOST_TEST(create(c, "/a", "hello") == ZkError::ok);
  BOOST_TEST(create(c, "/a", "again") == ZkError::node_exists);
  BOOST_TEST(create(c, "/missing/child", "x") == ZkError::no_node);

  auto [e, data, stat] = get(c, "/a");
  BOOST_TEST(e == ZkError::ok);
  BOOST_TEST(data == "hello");
  BOOST_TEST(stat.version == 0);
  BOOST_TEST(stat.czxid > 0);
  BOOST_TEST(stat.ephemeral_owner == 0);

  auto [se, sstat] = wait<ZkError, Stat>(c.loop, [&](auto done) { c.session->set("/a", "v1", 0, done); });
  BOOST_TEST(se == ZkError::ok);
  BOOST_TEST(sstat.version == 1);
  auto [se2, ignored] = wait<ZkError, Stat>(c.loop, [&](auto done) { c.session->set("/a", "v2", 0, done); });
  (void)ignored;
  BOOST_TEST(se2 == ZkError::bad_version);
  BOOST_TEST(std::get<1>(get(c, "/a")) == "v1");

  // Null data reads back as "", binary data survives.
  BOOST_TEST(create(c, "/a/empty", "") == ZkError::ok);
  BOOST_TEST(std::get<1>(get(c, "/a/empty")).empty());
  std::string binary("\0\x01\xff", 3);
  BOOST_TEST(create(c, "/a/bin", binary) == ZkError::ok);
  BOOST_TEST(std::get<1>(get(c, "/a/bin")) == binary);

  // Sequential nodes get a 10-digit suffix; ephemerals carry our session id and refuse children.
  auto [qe, qpath, qstat] = wait<ZkError, std::string, Stat>(
      c.loop, [&](auto done) { c.session->create("/a/seq_", "s", CreateMode::persistent_sequential, done); });
  (void)qstat;
  BOOST_TEST(qe == ZkError::ok);
  BOOST_TEST(qpath.size() == std::string("/a/seq_").size() + 10);
  BOOST_TEST(qpath.rfind("/a/seq_00000", 0) == 0u);
  BOOST_TEST(create(c, "/a/eph", "e", CreateMode::ephemeral) == ZkError::ok);
  BOOST_TEST(std::get<2>(get(c, "/a/eph")).ephemeral_owner == c.session->session_id());
  BOOST_TEST(create(c, "/a/eph/child", "") == ZkError::no_children_for_ephemerals);

  auto [ce, children] = wait<ZkError, std::vector<std::string>>(
      c.loop, [&](auto done) { c.session->get_children("/a", {}, done); });
  BOOST_TEST(ce == ZkError::ok);
  std::sort(children.begin(), children.end());
  BOOST_TEST_REQUIRE(children.size() == 4u);
  BOOST_TEST(children[0] == "bin");
  BOOST_TEST(children[1] == "empty");
  BOOST_TEST(children[2] == "eph");

  auto [xe, xstat] = wait<ZkError, Stat>(c.loop, [&](auto done) { c.session->exists("/a", {}, done); });
  BOOST_TEST(xe == ZkError::ok);
  BOOST_TEST(xstat.num_children == 4);
  auto [ne, nstat] = wait<ZkError, Stat>(c.loop, [&](auto done) { c.session->exists("/nope", {}, done); });
  (void)nstat;
  BOOST_TEST(ne == ZkError::no_node);

  auto [re] = wait<ZkError>(c.loop, [&](auto done) { c.session->remove("/a", -1, done); });
  BOOST_TEST(re == ZkError::not_empty);
  auto [re2] = wait<ZkError>(c.loop, [&](auto done) { c.session->remove("/a/empty", 5, done); });
  BOOST_TEST(re2 == ZkError::bad_version);
  auto [rr] = wait<ZkError>(c.loop, [&](auto done) { c.session->remove_recursive("/a", done); });
  BOOST_TEST(rr == ZkError::ok);
  BOOST_TEST(std::get<0>(get(c, "/a")) == ZkError::no_node);
  auto [rr2] = wait<ZkError>(c.loop, [&](auto done) { c.session->remove_recursive("/a", done); });
  BOOST_TEST(rr2 == ZkError::no_node);

  auto [cr] = wait<ZkError>(c.loop, [&](auto done) { c.session->create_recursive("/p/q/r", "leaf", done); });
  BOOST_TEST(cr == ZkError::ok);
  BOOST_TEST(std::get<1>(get(c, "/p/q/r")) == "leaf");
  BOOST_TEST(std::get<1>(get(c, "/p/q")).empty());
  auto [cr2] = wait<ZkError>(c.loop, [&](auto done) { c.session->create_recursive("/p/q/r", "x", done); });
  BOOST_TEST(cr2 == ZkError::node_exists);
}

BOOST_AUTO_TEST_CASE(multi_is_atomic_and_reports_per_op) {
  Connected c(unique_chroot("multi"));
  BOOST_TEST(create(c, "/m", "0") == ZkError::ok);
  using Op = Session::Op;
  auto [e, results] = wait<ZkError, std::vector<Session::OpResult>>(c.loop, [&](auto done) {
    c.session->multi_results({Op::check("/m", 0), Op::create("/m/a", "a"), Op::set("/m", "1", 0),
                              Op::create("/m/s_", "", CreateMode::persistent_sequential)},
                             done);
  });
  BOOST_TEST(e == ZkError::ok);
  BOOST_TEST_REQUIRE(results.size() == 4u);
  BOOST_TEST(results[1].path == "/m/a");
  BOOST_TEST(results[2].stat.version == 1);
  BOOST_TEST(results[3].path == "/m/s_0000000001");

  // A failing op in the middle: nothing applied; earlier ops ok, the failing one its error.
  auto [fe, per_op] = wait<ZkError, std::vector<ZkError>>(c.loop, [&](auto done) {
    c.session->multi({Op::create("/m/b", "b"), Op::check("/m", 0), Op::remove("/m/a", -1)}, done);
  });
  BOOST_TEST(fe == ZkError::bad_version);
  BOOST_TEST_REQUIRE(per_op.size() == 3u);
  BOOST_TEST(per_op[0] == ZkError::ok);
  BOOST_TEST(per_op[1] == ZkError::bad_version);
  BOOST_TEST(per_op[2] != ZkError::ok);
  BOOST_TEST(std::get<0>(get(c, "/m/b")) == ZkError::no_node);
  BOOST_TEST(std::get<0>(get(c, "/m/a")) == ZkError::ok);

  auto [ee, none] =
      wait<ZkError, std::vector<ZkError>>(c.loop, [&](auto done) { c.session->multi({}, done); });
  BOOST_TEST(ee == ZkError::ok);
  BOOST_TEST(none.empty());
}

BOOST_AUTO_TEST_CASE(watches_fire_once_on_the_loop_thread) {
  Connected c(unique_chroot("watch"));
  Connected other(unique_chroot("unused"));  // a second client makes the changes
  auto chroot = std::string();
  const auto loop_thread = std::this_thread::get_id();

  BOOST_TEST(create(c, "/w", "0") == ZkError::ok);
  std::vector<std::pair<WatchEvent, std::string>> fired;
  bool wrong_thread = false;
  bool in_call = false;
  auto watcher = [&](WatchEvent ev, const std::string& path) {
    if (std::this_thread::get_id() != loop_thread || in_call) wrong_thread = true;
    fired.emplace_back(ev, path);
  };

  // Data watch: fires once on the first change, not on the second.
  auto [ge, data, st] = get(c, "/w", watcher);
  (void)data;
  (void)st;
  BOOST_TEST(ge == ZkError::ok);
  in_call = true;
  c.session->set("/w", "1", -1, [](ZkError, Stat) {});
  in_call = false;
  BOOST_TEST_REQUIRE(c.loop.run_until([&] { return fired.size() == 1; }));
  BOOST_TEST((fired[0].first == WatchEvent::changed));
  BOOST_TEST(fired[0].second == "/w");
  auto [se, sst] = wait<ZkError, Stat>(c.loop, [&](auto done) { c.session->set("/w", "2", -1, done); });
  (void)sst;
  BOOST_TEST(se == ZkError::ok);
  c.loop.run_for(300ms);
  BOOST_TEST(fired.size() == 1u);

  // exists() on a missing node leaves a creation watch; child watch; deletion.
  auto [xe, xst] =
      wait<ZkError, Stat>(c.loop, [&](auto done) { c.session->exists("/later", watcher, done); });
  (void)xst;
  BOOST_TEST(xe == ZkError::no_node);
  auto [ke, kids] = wait<ZkError, std::vector<std::string>>(
      c.loop, [&](auto done) { c.session->get_children("/w", watcher, done); });
  (void)kids;
  BOOST_TEST(ke == ZkError::ok);
  BOOST_TEST(create(c, "/later", "") == ZkError::ok);
  BOOST_TEST(create(c, "/w/kid", "") == ZkError::ok);
  BOOST_TEST_REQUIRE(c.loop.run_until([&] { return fired.size() == 3; }));
  BOOST_TEST((fired[1].first == WatchEvent::created || fired[2].first == WatchEvent::created));
  BOOST_TEST((fired[1].first == WatchEvent::child || fired[2].first == WatchEvent::child));

  auto [ge2, d2, st2] = get(c, "/later", watcher);
  (void)d2;
  (void)st2;
  BOOST_TEST(ge2 == ZkError::ok);
  auto [re] = wait<ZkError>(c.loop, [&](auto done) { c.session->remove("/later", -1, done); });
  BOOST_TEST(re == ZkError::ok);
  BOOST_TEST_REQUIRE(c.loop.run_until([&] { return fired.size() == 4; }));
  BOOST_TEST((fired[3].first == WatchEvent::deleted));
  BOOST_TEST(fired[3].second == "/later");

  // A watch left on a failed read is never called.
  auto [me, md, mst] = get(c, "/missing", watcher);
  (void)md;
  (void)mst;
  BOOST_TEST(me == ZkError::no_node);
  BOOST_TEST(create(c, "/missing", "") == ZkError::ok);
  c.loop.run_for(300ms);
  BOOST_TEST(fired.size() == 4u);
  BOOST_TEST(!wrong_thread);
}

BOOST_AUTO_TEST_CASE(chroot_is_created_and_used) {
  auto chroot = unique_chroot("chroot") + "/deep/er";
  Connected c(chroot);
  BOOST_TEST(create(c, "/x", "in chroot") == ZkError::ok);
  using Op = Session::Op;
  auto [e, results] = wait<ZkError, std::vector<Session::OpResult>>(
      c.loop, [&](auto done) { c.session->multi_results({Op::create("/y", "")}, done); });
  BOOST_TEST(e == ZkError::ok);
  BOOST_TEST(results.at(0).path == "/y");
  auto [ce, created, cst] = wait<ZkError, std::string, Stat>(
      c.loop, [&](auto done) { c.session->create("/z", "", CreateMode::persistent, done); });
  (void)cst;
  BOOST_TEST(ce == ZkError::ok);
  BOOST_TEST(created == "/z");

  Connected root("");
  auto [ge, data, st] = get(root, chroot + "/x");
  (void)st;
  BOOST_TEST(ge == ZkError::ok);
  BOOST_TEST(data == "in chroot");
}

BOOST_AUTO_TEST_CASE(calls_made_before_connect_are_queued) {
  Loop loop;
  auto chroot = unique_chroot("queued");
  Session session(loop.base(), shared_server().connect_string() + chroot, kSessionTimeoutMs, nullptr);
  std::vector<std::string> order;
  session.create("/q", "1", CreateMode::persistent, [&](ZkError e, std::string, Stat) {
    order.push_back("create:" + std::string(to_string(e)));
  });
  session.get("/q", {}, [&](ZkError e, std::string data, Stat) {
    order.push_back("get:" + std::string(to_string(e)) + ":" + data);
  });
  BOOST_TEST(order.empty());  // never called synchronously
  BOOST_TEST_REQUIRE(loop.run_until([&] { return order.size() == 2; }));
  BOOST_TEST(order[0] == "create:ok");
  BOOST_TEST(order[1] == "get:ok:1");
}

BOOST_AUTO_TEST_CASE(close_completes_pending_with_closing_and_drops_ephemerals) {
  auto chroot = unique_chroot("close");
  Connected observer(chroot);
  Connected c(chroot);
  BOOST_TEST(create(c, "/eph", "", CreateMode::ephemeral) == ZkError::ok);
  std::optional<ZkError> pending;
  c.session->get("/eph", {}, [&](ZkError e, std::string, Stat) { pending = e; });
  c.session.reset();
  BOOST_TEST_REQUIRE(pending.has_value());
  BOOST_TEST((*pending == ZkError::closing));
  // The ephemeral is gone at once (no session-timeout wait).
  BOOST_TEST(observer.loop.run_until(
      [&] {
        std::optional<ZkError> e;
        observer.session->exists("/eph", {}, [&](ZkError x, Stat) { e = x; });
        observer.loop.run_until([&] { return e.has_value(); });
        return e == ZkError::no_node;
      },
      3s));
}

BOOST_AUTO_TEST_CASE(a_callback_may_destroy_its_session) {
  Connected c(unique_chroot("selfdestroy"));
  int calls = 0;
  std::optional<ZkError> second;
  c.session->exists("/", {}, [&](ZkError, Stat) {
    ++calls;
    c.session.reset();
  });
  c.session->exists("/", {}, [&](ZkError e, Stat) { second = e; });
  BOOST_TEST_REQUIRE(c.loop.run_until([&] { return second.has_value(); }));
  BOOST_TEST(calls == 1);
  BOOST_TEST(!c.session);
}

BOOST_AUTO_TEST_CASE(expired_session_is_reported_and_calls_fail) {
  auto chroot = unique_chroot("expire");
  Connected c(chroot);
  BOOST_TEST(create(c, "/eph", "", CreateMode::ephemeral) == ZkError::ok);
  // Attach a second handle to the same session and close it: the server ends the session, and the
  // first handle learns on reconnect that it has expired (Curator's KillSession technique).
  {
    Connected killer(chroot, c.session->credentials());
    BOOST_TEST(killer.session->session_id() == c.session->session_id());
  }
  BOOST_TEST_REQUIRE(c.loop.run_until([&] { return c.session->state() == SessionState::expired; }, 20s));
  BOOST_TEST((c.states.back() == SessionState::expired));
  auto [e, data, st] = get(c, "/eph");
  (void)data;
  (void)st;
  BOOST_TEST((e == ZkError::session_expired), to_string(e));

  // The owner makes a new Session; the old ephemeral is gone.
  Connected fresh(chroot);
  BOOST_TEST(fresh.session->session_id() != c.session->session_id());
  BOOST_TEST(std::get<0>(get(fresh, "/eph")) == ZkError::no_node);
}

BOOST_AUTO_TEST_CASE(connection_loss_reports_connecting_and_the_session_survives_a_restart) {
  ZkServer server;  // its own server: this test stops it
  Loop loop;
  std::vector<SessionState> states;
  Session s(loop.base(), server.connect_string(), 8000, [&](SessionState st) { states.push_back(st); });
  BOOST_TEST_REQUIRE(loop.run_until([&] { return s.state() == SessionState::connected; }));
  int64_t id = s.session_id();
  auto [ce, cp, cst] = wait<ZkError, std::string, Stat>(
      loop, [&](auto done) { s.create("/eph", "", CreateMode::ephemeral, done); });
  (void)cp;
  (void)cst;
  BOOST_TEST_REQUIRE(ce == ZkError::ok);
  auto [we, wp, wst] = wait<ZkError, std::string, Stat>(
      loop, [&](auto done) { s.create("/w", "0", CreateMode::persistent, done); });
  (void)wp;
  (void)wst;
  BOOST_TEST_REQUIRE(we == ZkError::ok);
  std::optional<WatchEvent> fired;
  auto [ge, gd, gst] = wait<ZkError, std::string, Stat>(loop, [&](auto done) {
    s.get(
        "/w", [&](WatchEvent ev, const std::string&) { fired = ev; }, done);
  });
  (void)gd;
  (void)gst;
  BOOST_TEST_REQUIRE(ge == ZkError::ok);

  server.stop();
  BOOST_TEST_REQUIRE(loop.run_until([&] { return s.state() == SessionState::connecting; }, 10s));
  server.start();
  BOOST_TEST_REQUIRE(loop.run_until([&] { return s.state() == SessionState::connected; }, 30s));
  BOOST_TEST(s.session_id() == id);
  BOOST_TEST((states == std::vector<SessionState>{SessionState::connected, SessionState::connecting,
                                                  SessionState::connected}));
  BOOST_TEST(!fired.has_value());  // session events are not delivered to path watchers

  // The session, its ephemeral and the watch survived the connection loss.
  auto [xe, xst] = wait<ZkError, Stat>(loop, [&](auto done) { s.exists("/eph", {}, done); });
  BOOST_TEST(xe == ZkError::ok);
  BOOST_TEST(xst.ephemeral_owner == id);
  auto [se, sst] = wait<ZkError, Stat>(loop, [&](auto done) { s.set("/w", "1", -1, done); });
  (void)sst;
  BOOST_TEST(se == ZkError::ok);
  BOOST_TEST_REQUIRE(loop.run_until([&] { return fired.has_value(); }));
  BOOST_TEST((*fired == WatchEvent::changed));
}

BOOST_AUTO_TEST_SUITE_END()
